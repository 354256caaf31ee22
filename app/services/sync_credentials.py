"""The counter's sync credential and CA bundle (part of app.services.sync_port, which re-exports
these names; the engine never imports this module directly).

The credential is the bearer secret that lets anyone holding it sync as this counter, so it lives
in the workstation key store (`app.services.keys`: the OS keyring, or an owner-only key file) and
never in the database: a copied database file or backup does not carry it. `sync_state` keeps
only the name of the key-store entry. Versions before migration 0006 kept it in
`sync_state.credential`; a migration cannot reach the key store, so the first read moves it there
and clears the column in one transaction. A database whose key store lacks the entry (a data
folder copied to another PC) cannot sync: the supervisor enrols the counter again.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from sqlalchemy import text

from app.domain.errors import ConfigurationError, ValidationError
from app.services.context import ServiceContext
from app.services.keys import KeyStore, key_store_beside
from app.services.sync_records import sync_state

CREDENTIAL_KEY = "sync-credential"


class CredentialMissing(ConfigurationError):
    """Enrolled, but this workstation's key store has no credential for the counter."""


def key_store_of(ctx: ServiceContext) -> KeyStore:
    return key_store_beside(str(ctx.db.engine.url.database))


def put_credential(store: KeyStore, credential: str) -> str:
    """Store the secret; returns the reference to keep in `sync_state.credential_ref`."""
    store.put(CREDENTIAL_KEY, credential.encode())
    return CREDENTIAL_KEY


def move_legacy_credential(ctx: ServiceContext, store: KeyStore) -> None:
    """A credential stored in the database by an older version goes to the key store; the column
    is cleared in the same transaction (if that commit fails, the next read simply repeats)."""
    with ctx.db.write() as session:
        state = sync_state(session)
        if state is None or not state.credential:
            return
        # Zero the bytes the secret occupied in its page instead of leaving them as free space.
        session.execute(text("PRAGMA secure_delete=ON"))
        try:
            state.credential_ref = put_credential(store, state.credential)
            state.credential = None
            session.flush()
        finally:
            session.execute(text("PRAGMA secure_delete=OFF"))


def load_credential(ctx: ServiceContext, counter: str, *, legacy: bool) -> str:
    """The credential of the enrolled counter, from the key store (moved there first if
    `legacy`). Raises `CredentialMissing` when this workstation does not have it."""
    store = key_store_of(ctx)
    if legacy:
        move_legacy_credential(ctx, store)
    try:
        secret = store.get(CREDENTIAL_KEY)
        credential = secret.decode() if secret else ""
    except (ValueError, UnicodeDecodeError):
        credential = ""  # a damaged key file: as good as missing
    if not credential:
        raise CredentialMissing(
            "sync.credential_missing",
            f"Máy này không có thông tin xác thực đồng bộ của quầy {counter} "
            f"({store.description}); thường do thư mục dữ liệu được chép từ máy khác. "
            "Giám sát viên cần đăng ký lại quầy này với hệ thống trung tâm: xin mã đăng ký mới "
            "rồi chạy «motcua enrol --server … --token …» trên máy này.",
            counter=counter,
        )
    return credential


def checked_ca_file(path: str) -> str:
    """The absolute path of a readable PEM bundle with at least one CA certificate (the desktop
    and the CLI may run from different folders, so a relative path is never stored)."""
    resolved = Path(path).expanduser().resolve()
    try:
        ssl.create_default_context(cafile=str(resolved))
    except ssl.SSLError:
        raise ValidationError(
            "sync.ca_file",
            f"Tệp «{resolved}» không chứa chứng thư CA dạng PEM hợp lệ.",
            field="ca_file",
        ) from None
    except OSError as error:
        raise ValidationError(
            "sync.ca_file",
            f"Không đọc được tệp chứng thư CA «{resolved}» ({error.strerror or error}).",
            field="ca_file",
        ) from None
    return str(resolved)


def save_ca_file(ctx: ServiceContext, path: str | None) -> None:
    """Remember the CA bundle that signs the central server's certificate (None or "": the
    usual public roots again)."""
    checked = checked_ca_file(path) if path else ""
    with ctx.db.write() as session:
        state = sync_state(session)
        if state is None:
            raise ConfigurationError(
                "sync.not_enrolled",
                "Máy trạm chưa đăng ký với hệ thống trung tâm (motcua enrol --server … --token …).",
            )
        state.ca_file = checked
