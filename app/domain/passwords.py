"""Officer passwords: Argon2id hashing, the minimum strength rules, and the sign-in lockout.

Hashes use argon2-cffi's defaults for Argon2id (RFC 9106's second recommended setting: 64 MiB,
3 passes, 4 lanes — about 0.1 s on a counter PC), and record their parameters, so a hash made
with older settings is upgraded at the next successful sign-in (`needs_rehash`).

The lockout is a pure function of how many sign-ins failed in a row and when the last one failed:
nothing is kept in memory, so closing and reopening the application (or the CLI) does not reset it.
The first few mistakes cost nothing (people mistype); after that each further failure doubles the
wait, up to an hour, which makes guessing over a whole night hopeless without ever locking an
officer out of a working day for a typo storm.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.domain.errors import ValidationError
from app.domain.text import fold

MIN_LENGTH = 10
MAX_LENGTH = 128
FREE_FAILURES = 5
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; False for a mismatch or an empty/unreadable hash."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against for an unknown user name: the sign-in then takes as long as
    with a known one, so timing does not tell which accounts exist. Made on first use, not at
    import, so the command line does not pay 0.1 s for it on every start."""
    return hash_password("không phải mật khẩu của ai")


def _classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not c.isalnum() for c in password)
    return sum((lower, upper, digit, other))


def check_strength(password: str, username: str) -> None:
    """Raise ValidationError (field "password") unless the password meets the minimum rules:
    at least 10 characters, at least two kinds of character (lower case, upper case, digits,
    other signs), and not the user name (nor containing it)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            "password.too_short",
            f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError(
            "password.too_long",
            f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự.",
            field="password",
        )
    if _classes(password) < 2:
        raise ValidationError(
            "password.one_class",
            "Mật khẩu phải kết hợp ít nhất hai loại ký tự: chữ thường, chữ hoa, chữ số, ký hiệu.",
            field="password",
        )
    name = fold(username).replace(" ", "")
    if len(name) >= 3 and name in fold(password).replace(" ", ""):
        raise ValidationError(
            "password.contains_username",
            "Mật khẩu không được trùng hoặc chứa tên đăng nhập.",
            field="password",
        )


def lockout_delay(failures: int) -> timedelta:
    """How long sign-in stays closed after `failures` consecutive failed attempts."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 10)  # 2**10 minutes is past the cap already
    delay: timedelta = FIRST_DELAY * (2**doublings)
    return min(delay, MAX_DELAY)


def locked_until(failures: int, last_failure_at: datetime | None) -> datetime | None:
    """When sign-in opens again, or None if it is open (no failures, or too few)."""
    delay = lockout_delay(failures)
    if last_failure_at is None or delay <= timedelta(0):
        return None
    return last_failure_at + delay


def is_locked_out(failures: int, last_failure_at: datetime | None, now: datetime) -> bool:
    until = locked_until(failures, last_failure_at)
    return until is not None and now < until
