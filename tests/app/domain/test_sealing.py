"""Sealed blobs: AES-256-GCM with the data key or an Argon2id passphrase key."""

from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.domain.sealing import is_sealed, needs_passphrase, new_key, seal, unseal


def test_round_trip_with_the_data_key_and_with_a_passphrase():
    key = new_key()
    blob = seal(b"du lieu", "backup", key=key)
    assert is_sealed(blob) and not needs_passphrase(blob)
    assert b"du lieu" not in blob
    assert unseal(blob, "backup", key=key) == b"du lieu"
    locked = seal(b"du lieu", "backup", passphrase="cụm mật khẩu dài")
    assert needs_passphrase(locked)
    assert unseal(locked, "backup", passphrase="cụm mật khẩu dài") == b"du lieu"


@pytest.mark.parametrize("flip", [8, 20, 45, -1])
def test_any_changed_byte_or_wrong_key_or_purpose_is_refused(flip):
    key = new_key()
    blob = bytearray(seal(b"x" * 100, "scan", key=key))
    blob[flip] ^= 1
    with pytest.raises(ValidationError) as caught:
        unseal(bytes(blob), "scan", key=key)
    assert caught.value.code.startswith("seal.")
    good = seal(b"x", "scan", key=key)
    for kwargs, purpose in (({"key": new_key()}, "scan"), ({"key": key}, "backup")):
        with pytest.raises(ValidationError):
            unseal(good, purpose, **kwargs)


def test_short_passphrase_and_missing_passphrase_are_explained():
    with pytest.raises(ValidationError) as caught:
        seal(b"x", "backup", passphrase="ngan")
    assert caught.value.code == "backup.passphrase_short"
    blob = seal(b"x", "backup", passphrase="mot cum mat khau")
    with pytest.raises(ValidationError) as caught:
        unseal(blob, "backup", key=new_key())
    assert caught.value.code == "seal.passphrase_required"
