"""The permission matrix: who may do what, and how a refusal reads."""

from __future__ import annotations

import pytest

from app.domain.errors import PermissionDeniedError, ValidationError
from app.domain.lifecycle import Action
from app.domain.permissions import (
    MATRIX,
    Permission,
    Role,
    ensure_allowed,
    is_allowed,
    permission_for,
    roles_allowed,
)


def test_every_permission_is_granted_to_some_role_and_every_role_has_a_label():
    for permission in Permission:
        assert roles_allowed(permission), permission
        assert permission.label
    for role in Role:
        assert role.label


def test_every_lifecycle_action_needs_a_permission():
    for action in Action:
        assert isinstance(permission_for(action), Permission)


def test_duties_are_separated():
    admin = MATRIX[Role.ADMINISTRATOR]
    assert Permission.MANAGE_ACCOUNTS in admin
    assert Permission.RECEIVE not in admin and Permission.VIEW_PERSONAL_DATA not in admin
    assert not is_allowed(Role.COUNTER_OFFICER, Permission.STOP)
    assert not is_allowed(Role.COUNTER_OFFICER, Permission.REAPPOINT)
    assert not is_allowed(Role.COUNTER_OFFICER, Permission.REFUND)
    assert not is_allowed(Role.SCANNING_CLERK, Permission.RECEIVE)
    assert MATRIX[Role.COUNTER_OFFICER] < MATRIX[Role.SUPERVISOR]
    assert roles_allowed(Permission.RESTORE) == (Role.ADMINISTRATOR,)


def test_refusal_is_polite_vietnamese_naming_the_action_and_who_may():
    with pytest.raises(PermissionDeniedError) as caught:
        ensure_allowed(Role.COUNTER_OFFICER, Permission.REAPPOINT)
    error = caught.value
    assert error.code == "auth.forbidden"
    assert "Cán bộ một cửa" in error.message
    assert "xin lỗi và hẹn lại ngày trả kết quả" in error.message
    assert "lãnh đạo, giám sát" in error.message
    assert error.params == {"permission": "reappoint", "role": "can_bo_mot_cua"}
    ensure_allowed(Role.SUPERVISOR, Permission.REAPPOINT)  # no error


def test_unknown_role_names_the_choices():
    assert Role.parse(" giam_sat ") is Role.SUPERVISOR
    with pytest.raises(ValidationError) as caught:
        Role.parse("boss")
    assert "quan_tri" in caught.value.message
