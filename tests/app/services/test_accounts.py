"""Accounts: demo accounts, first-login change, administrator reset and lock, and the brute-force
lockout, which lives in the database and so holds across restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.bootstrap import open_context
from app.domain.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.domain.passwords import FREE_FAILURES
from app.services import accounts, dossiers
from app.services.audit import list_audit, verify_audit_chain
from app.services.station import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.app.services.helpers import procedure_with_unit, receive_cmd


def test_init_demo_creates_one_account_per_role_with_a_password_to_change(ctx):
    rows = accounts.list_accounts(ctx, admin="admin")
    assert {r.username for r in rows} == {u for u, _, _ in DEMO_ACCOUNTS}
    assert {r.role for r in rows} == {"can_bo_mot_cua", "can_bo_so_hoa", "giam_sat", "quan_tri"}
    assert all(r.must_change_password and r.has_password and r.active for r in rows)
    officer = accounts.sign_in(ctx, "canbo", DEMO_PASSWORD)
    assert officer.must_change_password


def test_first_login_change_then_the_old_password_no_longer_works(ctx):
    with pytest.raises(ValidationError) as caught:
        accounts.change_password(ctx, "canbo", DEMO_PASSWORD, "ngan")
    assert caught.value.code == "password.too_short"
    with pytest.raises(ValidationError):
        accounts.change_password(ctx, "canbo", DEMO_PASSWORD, DEMO_PASSWORD)
    changed = accounts.change_password(ctx, "canbo", DEMO_PASSWORD, "Hoa ban trắng 2026")
    assert not changed.must_change_password
    assert not accounts.sign_in(ctx, "canbo", "Hoa ban trắng 2026").must_change_password
    with pytest.raises(AuthenticationError):
        accounts.sign_in(ctx, "canbo", DEMO_PASSWORD)


def test_administrator_creates_resets_and_locks_accounts_never_deletes(ctx):
    made = accounts.create_account(
        ctx,
        admin="admin",
        username="Lan.NT",
        full_name="Nguyễn Thị Lan",
        role="can_bo_mot_cua",
        initial_password="Tam-thoi-2026",
    )
    assert made.username == "lan.nt" and made.must_change_password
    with pytest.raises(ValidationError) as caught:
        accounts.create_account(
            ctx,
            admin="admin",
            username="lan.nt",
            full_name="Trùng",
            role="can_bo_mot_cua",
            initial_password="Tam-thoi-2026",
        )
    assert caught.value.code == "account.exists"
    p = procedure_with_unit(ctx, "working-days")
    code = dossiers.receive_dossier(ctx, receive_cmd(p.id, officer="lan.nt")).dossier.code
    locked = accounts.lock_account(ctx, admin="admin", username="lan.nt", reason="Nghỉ hưu")
    assert not locked.active and locked.locked_reason == "Nghỉ hưu"
    assert "lan.nt" in {a.username for a in accounts.list_accounts(ctx, admin="admin")}
    with pytest.raises(AuthenticationError) as signed:
        accounts.sign_in(ctx, "lan.nt", "Tam-thoi-2026")
    assert signed.value.code == "auth.account_locked"
    with pytest.raises(PermissionDeniedError):
        dossiers.transfer(ctx, code, officer="lan.nt")
    accounts.unlock_account(ctx, admin="admin", username="lan.nt")
    reset = accounts.reset_password(
        ctx, admin="admin", username="lan.nt", new_password="Mat-khau-moi-1"
    )
    assert reset.must_change_password
    assert accounts.sign_in(ctx, "lan.nt", "Mat-khau-moi-1").must_change_password
    actions = [e.action for e in list_audit(ctx, officer="giamsat")]
    for action in ("account-created", "account-locked", "account-unlocked", "password-reset"):
        assert action in actions


def test_the_first_administrator_can_be_created_when_there_is_none(ctx):
    accounts.lock_account(ctx, admin="admin", username="giamsat", reason="x")
    with pytest.raises(ValidationError):  # an administrator cannot lock themself
        accounts.lock_account(ctx, admin="admin", username="admin", reason="x")
    with pytest.raises(PermissionDeniedError):
        accounts.create_account(
            ctx,
            admin="canbo",
            username="qt2",
            full_name="Quản trị 2",
            role="quan_tri",
            initial_password="Quan-tri-2026",
        )


def test_unknown_user_and_wrong_password_give_the_same_message(ctx):
    with pytest.raises(AuthenticationError) as unknown:
        accounts.sign_in(ctx, "khongco", "Sai-mat-khau")
    with pytest.raises(AuthenticationError) as wrong:
        accounts.sign_in(ctx, "canbo", "Sai-mat-khau")
    assert unknown.value.message == wrong.value.message
    with pytest.raises(NotFoundError):
        accounts.reset_password(ctx, admin="admin", username="khongco", new_password="Abcdefgh12")


def test_brute_force_lockout_holds_across_restarts_and_blocks_acting(ctx, data_dir, clock):
    for _ in range(FREE_FAILURES - 1):
        with pytest.raises(AuthenticationError) as caught:
            accounts.sign_in(ctx, "canbo", "doan-mo-1")
        assert caught.value.code == "auth.invalid_credentials"
    with pytest.raises(AuthenticationError) as caught:
        accounts.sign_in(ctx, "canbo", "doan-mo-2")
    assert caught.value.code == "auth.locked_out"
    ctx.db.close()

    restarted = open_context(data_dir, clock)  # the application (or the CLI) starts again
    try:
        with pytest.raises(AuthenticationError) as caught:
            accounts.sign_in(restarted, "canbo", DEMO_PASSWORD)  # even the right password
        assert caught.value.code == "auth.locked_out"
        p = procedure_with_unit(restarted, "working-days")
        with pytest.raises(PermissionDeniedError) as acting:
            dossiers.receive_dossier(restarted, receive_cmd(p.id))
        assert acting.value.code == "auth.locked_out"
        clock.current += timedelta(minutes=1, seconds=1)
        assert accounts.sign_in(restarted, "canbo", DEMO_PASSWORD).username == "canbo"
        dossiers.receive_dossier(restarted, receive_cmd(p.id))
        # Each further failure after the free ones doubles the wait.
        for _ in range(FREE_FAILURES):
            with pytest.raises(AuthenticationError):
                accounts.sign_in(restarted, "canbo", "doan-mo-3")
        clock.current += timedelta(minutes=1, seconds=1)
        with pytest.raises(AuthenticationError) as caught:
            accounts.sign_in(restarted, "canbo", "doan-mo-4")  # the 6th failure: 2 minutes
        assert caught.value.code == "auth.locked_out"
        clock.current += timedelta(minutes=1, seconds=59)
        with pytest.raises(AuthenticationError):
            accounts.sign_in(restarted, "canbo", DEMO_PASSWORD)
        clock.current += timedelta(seconds=2)
        assert accounts.sign_in(restarted, "canbo", DEMO_PASSWORD).username == "canbo"
        assert verify_audit_chain(restarted).ok
    finally:
        restarted.db.close()
