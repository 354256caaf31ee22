"""Where the workstation's data key lives: the OS keyring when there is one, else a key file.

The data key (32 random bytes) seals backups and scanned files (`domain.sealing`); the sync
credential (the counter's bearer secret, `services.sync_port`) is kept the same way. In the OS
keyring (Windows Credential Manager, protected by DPAPI with the Windows account's logon) a copied
data folder or a stolen backup is useless without that Windows account. Where no keyring works
(a headless Linux box, CI) the key goes to a file with owner-only permissions in a `keys` folder
beside the data — which protects backups copied elsewhere, not a copy of the whole folder; the
threat model in docs/SECURITY.md says so. `keyring` is imported only if installed: it is optional.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path
from typing import Any, Protocol

from app.domain.sealing import KEY_BYTES, new_key

SERVICE = "MotCuaDesk"
KEY_DIR = "keys"


class KeyStore(Protocol):
    """Somewhere to keep one secret per name."""

    description: str

    def get(self, name: str) -> bytes | None: ...

    def put(self, name: str, secret: bytes) -> None: ...


class FileKeyStore:
    """Key files readable only by the owner (0600 on POSIX; the user profile's ACL on Windows)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"tệp khóa trong {folder}"

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.key"

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        return bytes.fromhex(path.read_text().strip()) if path.exists() else None

    def put(self, name: str, secret: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secret.hex())
        os.replace(temporary, path)


class KeyringKeyStore:
    """The OS keyring through the `keyring` package (hex text: some backends store only text)."""

    description = "kho khóa của hệ điều hành"

    def __init__(self, module: Any, scope: str) -> None:
        self._keyring = module
        self._scope = scope

    def get(self, name: str) -> bytes | None:
        value = self._keyring.get_password(SERVICE, f"{self._scope}:{name}")
        return bytes.fromhex(value) if value else None

    def put(self, name: str, secret: bytes) -> None:
        self._keyring.set_password(SERVICE, f"{self._scope}:{name}", secret.hex())


def _usable_keyring() -> Any | None:
    try:
        module = importlib.import_module("keyring")
    except ImportError:
        return None
    backend = module.get_keyring()
    # The "fail" and "null" backends are what keyring falls back to when there is no real one.
    if type(backend).__module__.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return None
    return module


def default_key_store(data_dir: Path) -> KeyStore:
    """The OS keyring if one works here (`MOTCUA_KEYSTORE=file` forces the key file)."""
    module = None if os.environ.get("MOTCUA_KEYSTORE") == "file" else _usable_keyring()
    if module is None:
        return FileKeyStore(data_dir / KEY_DIR)
    scope = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return KeyringKeyStore(module, scope)


def key_store_beside(database_file: str | Path) -> KeyStore:
    """The key store of the data folder holding this SQLite file (what services use: the folder,
    not the process, decides which keyring entries or key files belong to this station)."""
    return default_key_store(Path(database_file).parent)


def data_key(store: KeyStore) -> bytes:
    """The workstation's data key, made on first use."""
    key = store.get("data")
    if key is None or len(key) != KEY_BYTES:
        key = new_key()
        store.put("data", key)
    return key
