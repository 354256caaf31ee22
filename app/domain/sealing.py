"""Sealed (encrypted and authenticated) blobs: backups and scanned files at rest.

AES-256-GCM from `cryptography`. A sealed blob is self-describing:

    b"MCSEAL1\\n" | kdf (1 byte) | salt (16) | nonce (12) | ciphertext + 16-byte tag

`kdf` 0 means the key is the workstation's 32-byte data key (kept in the OS keyring, see
`app/services/keys.py`); 1 means the key is derived from a passphrase with Argon2id (64 MiB,
3 passes), so a backup can be restored on another PC by whoever holds the passphrase. The header
is authenticated too (GCM associated data), and so is a caller-given `purpose` ("backup",
"scan"), so a sealed scan cannot be passed off as a backup. A wrong key, a wrong passphrase or any
flipped bit gives the same refusal: nothing is decrypted unless all of it is intact.
"""

from __future__ import annotations

import os

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.errors import ValidationError

MAGIC = b"MCSEAL1\n"
PURPOSE_BACKUP = "backup"
PURPOSE_SCAN = "scan"
KDF_DATA_KEY = 0
KDF_PASSPHRASE = 1
KEY_BYTES = 32
_SALT = 16
_NONCE = 12
_HEADER = len(MAGIC) + 1 + _SALT + _NONCE
MIN_PASSPHRASE = 12


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return hash_secret_raw(
        passphrase.encode(),
        salt,
        time_cost=3,
        memory_cost=65536,
        parallelism=4,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            "backup.passphrase_short",
            f"Cụm mật khẩu của bản sao lưu phải có ít nhất {MIN_PASSPHRASE} ký tự.",
            field="passphrase",
        )


def seal(
    plaintext: bytes,
    purpose: str,
    *,
    key: bytes | None = None,
    passphrase: str | None = None,
) -> bytes:
    """Encrypt with the data key or, if given, a passphrase (exactly one of the two)."""
    salt = os.urandom(_SALT)
    nonce = os.urandom(_NONCE)
    if passphrase is not None:
        _check_passphrase(passphrase)
        kdf, secret = KDF_PASSPHRASE, passphrase_key(passphrase, salt)
    elif key is not None and len(key) == KEY_BYTES:
        kdf, secret = KDF_DATA_KEY, key
    else:
        raise ValueError("seal needs a 32-byte key or a passphrase")
    header = MAGIC + bytes([kdf]) + salt + nonce
    return header + AESGCM(secret).encrypt(nonce, plaintext, header + purpose.encode())


def is_sealed(blob: bytes) -> bool:
    return blob.startswith(MAGIC)


def needs_passphrase(blob: bytes) -> bool:
    return is_sealed(blob) and len(blob) > len(MAGIC) and blob[len(MAGIC)] == KDF_PASSPHRASE


def unseal(
    blob: bytes,
    purpose: str,
    *,
    key: bytes | None = None,
    passphrase: str | None = None,
) -> bytes:
    """Decrypt and authenticate, or raise ValidationError ("seal.*") without revealing why."""
    if not is_sealed(blob) or len(blob) < _HEADER + 16:
        raise ValidationError(
            "seal.format", "Tệp không phải là tệp mã hóa của MotCua Desk.", field="file"
        )
    header = blob[:_HEADER]
    kdf = blob[len(MAGIC)]
    salt = blob[len(MAGIC) + 1 : len(MAGIC) + 1 + _SALT]
    nonce = blob[len(MAGIC) + 1 + _SALT : _HEADER]
    if kdf == KDF_PASSPHRASE:
        if passphrase is None:
            raise ValidationError(
                "seal.passphrase_required",
                "Bản sao lưu này được mã hóa bằng cụm mật khẩu: hãy nhập cụm mật khẩu.",
                field="passphrase",
            )
        secret = passphrase_key(passphrase, salt)
    elif kdf == KDF_DATA_KEY and key is not None:
        secret = key
    else:
        raise ValidationError(
            "seal.key_missing",
            "Không có khóa của máy trạm để giải mã tệp này (tệp được tạo trên máy khác?).",
            field="file",
        )
    try:
        return AESGCM(secret).decrypt(nonce, blob[_HEADER:], header + purpose.encode())
    except InvalidTag:
        raise ValidationError(
            "seal.invalid",
            "Không giải mã được tệp: sai khóa hoặc cụm mật khẩu, hoặc tệp đã bị thay đổi.",
            field="file",
        ) from None
