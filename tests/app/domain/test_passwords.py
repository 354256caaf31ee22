"""Password hashing, strength rules and the growing lockout delay."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.clock import VN_TZ
from app.domain.errors import ValidationError
from app.domain.passwords import (
    FREE_FAILURES,
    MAX_DELAY,
    check_strength,
    hash_password,
    is_locked_out,
    locked_until,
    lockout_delay,
    needs_rehash,
    verify_password,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)


def test_argon2id_hash_verifies_only_the_right_password():
    stored = hash_password("Mật khẩu 2026")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "Mật khẩu 2026")
    assert not verify_password(stored, "mật khẩu 2026")
    assert not verify_password("", "anything")
    assert not verify_password("not a hash", "anything")
    assert not needs_rehash(stored)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ngan1234", "password.too_short"),
        ("abcdefghijkl", "password.one_class"),
        ("12345678901", "password.one_class"),
        ("xx-CanBo-2026", "password.contains_username"),
        ("x" * 129 + "1", "password.too_long"),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(password, code):
    with pytest.raises(ValidationError) as caught:
        check_strength(password, "canbo")
    assert caught.value.code == code
    assert caught.value.field == "password"


def test_a_reasonable_password_passes():
    check_strength("Sơn La mùa hoa ban", "canbo")
    check_strength("quay01-2026", "canbo")


def test_the_first_failures_are_free_then_the_delay_doubles_up_to_an_hour():
    assert [lockout_delay(n) for n in range(FREE_FAILURES)] == [timedelta(0)] * FREE_FAILURES
    assert lockout_delay(FREE_FAILURES) == timedelta(minutes=1)
    assert lockout_delay(FREE_FAILURES + 1) == timedelta(minutes=2)
    assert lockout_delay(FREE_FAILURES + 3) == timedelta(minutes=8)
    assert lockout_delay(1000) == MAX_DELAY


@given(st.integers(min_value=0, max_value=200))
def test_the_delay_never_shrinks_with_more_failures(failures):
    assert lockout_delay(failures + 1) >= lockout_delay(failures)


def test_lockout_is_a_function_of_count_and_last_failure():
    assert locked_until(3, T0) is None
    assert locked_until(FREE_FAILURES, None) is None
    until = locked_until(FREE_FAILURES + 1, T0)
    assert until == T0 + timedelta(minutes=2)
    assert is_locked_out(FREE_FAILURES + 1, T0, T0 + timedelta(minutes=1))
    assert not is_locked_out(FREE_FAILURES + 1, T0, T0 + timedelta(minutes=2))
