"""Every action of the permission matrix is refused by its service when the wrong role asks,
with the polite Vietnamese message, and nothing is written; a locked account can do nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import Event
from app.domain.errors import PermissionDeniedError
from app.domain.permissions import MATRIX, Permission, Role
from app.services import (
    accounts,
    audit,
    backup,
    calendar,
    cash_sessions,
    day_close,
    digitisation,
    dossiers,
    exports,
    queries,
)
from app.services.context import ServiceContext
from app.services.digitisation import ComponentPdf
from app.services.keys import FileKeyStore
from app.services.scan_store import ScanStore
from app.services.views import DossierView
from tests.app.services.helpers import (
    digitise_required,
    procedure_with_unit,
    receive_cmd,
    tiny_pdf,
)

USERS = {
    Role.COUNTER_OFFICER: "canbo",
    Role.SCANNING_CLERK: "sohoa",
    Role.SUPERVISOR: "giamsat",
    Role.ADMINISTRATOR: "admin",
}
# Checked with `require` by services other issues own, and refused in their own tests:
# printing (tests/app/services/test_documents.py), fees (test_fees.py, test_fee_refunds.py).
ENFORCED_ELSEWHERE = {
    Permission.PRINT,
    Permission.REPRINT,
    Permission.COLLECT_FEE,
    Permission.REFUND,
}
# No service performs this yet (the financial-obligation steps of the lifecycle).
NO_SERVICE_YET = {Permission.FINANCIAL}

Attempt = Callable[[ServiceContext, DossierView, str, object], object]


def _scans(tmp: Path) -> ScanStore:
    return ScanStore(tmp / "scans", FileKeyStore(tmp / "k"))


def _later(view: DossierView):
    new = view.appointment + timedelta(days=7)
    while new.weekday() >= 5:
        new += timedelta(days=1)
    return new.replace(hour=10, minute=0)


ATTEMPTS: dict[Permission, Attempt] = {
    Permission.RECEIVE: lambda c, d, who, tmp: dossiers.receive_dossier(
        c, receive_cmd(d.procedure_code, officer=who)
    ),
    Permission.SUPPLEMENT: lambda c, d, who, tmp: dossiers.request_supplement(
        c, d.code, "Thiếu giấy tờ", officer=who
    ),
    Permission.REFUSE: lambda c, d, who, tmp: dossiers.refuse(c, d.code, "Lý do", officer=who),
    Permission.WITHDRAW: lambda c, d, who, tmp: dossiers.withdraw(c, d.code, "Rút", officer=who),
    Permission.TRANSFER: lambda c, d, who, tmp: dossiers.transfer(c, d.code, officer=who),
    Permission.RECORD_RESULT: lambda c, d, who, tmp: dossiers.record_result(c, d.code, officer=who),
    Permission.RETURN_RESULT: lambda c, d, who, tmp: dossiers.return_result(c, d.code, officer=who),
    Permission.STOP: lambda c, d, who, tmp: dossiers.stop(c, d.code, "Dừng", officer=who),
    Permission.REAPPOINT: lambda c, d, who, tmp: dossiers.reappoint(
        c, d.code, _later(d), "Xác minh", officer=who
    ),
    Permission.EDIT_CALENDAR: lambda c, d, who, tmp: calendar.add_calendar_exception(
        c, date(2026, 12, 31), "day-off", "QĐ số 1", actor=who
    ),
    Permission.MANAGE_ACCOUNTS: lambda c, d, who, tmp: accounts.create_account(
        c,
        admin=who,
        username="moi",
        full_name="Cán bộ mới",
        role="can_bo_mot_cua",
        initial_password="Mat-khau-2026",
    ),
    Permission.EXPORT: lambda c, d, who, tmp: exports.export_logbook_csv(
        c, date(2026, 11, 23), officer=who, reason="Báo cáo tuần"
    ),
    Permission.VIEW_PERSONAL_DATA: lambda c, d, who, tmp: queries.show_dossier(
        c, d.code, officer=who
    ),
    Permission.VIEW_AUDIT: lambda c, d, who, tmp: audit.list_audit(c, officer=who),
    Permission.CLOSE_CASH_SESSION: lambda c, d, who, tmp: cash_sessions.close_cash_session(
        c, {}, officer=who
    ),
    Permission.SCAN: lambda c, d, who, tmp: digitisation.save_component(
        c, _scans(tmp), d.code, "1", ComponentPdf(tiny_pdf(), 1, "import"), officer=who
    ),
    Permission.SIGN_DIGITISED: lambda c, d, who, tmp: digitisation.save_component(
        c, _scans(tmp), d.code, "1", ComponentPdf(tiny_pdf(), 1, "import", signer="X"), officer=who
    ),
    Permission.CLOSE_DAY: lambda c, d, who, tmp: day_close.close_day(
        c, d.received_at.date(), officer=who
    ),
    Permission.BACKUP: lambda c, d, who, tmp: backup.backup_database(
        c, tmp / "b.mcbk", officer=who, reason="Định kỳ", key_store=FileKeyStore(tmp / "k")
    ),
}

CASES = [
    (permission, role)
    for permission, attempt in ATTEMPTS.items()
    for role in Role
    if permission not in MATRIX[role]
]


def test_every_permission_of_the_matrix_has_a_refusal_test():
    covered = set(ATTEMPTS) | ENFORCED_ELSEWHERE | NO_SERVICE_YET | {Permission.RESTORE}
    assert covered == set(Permission)


@pytest.fixture
def received(ctx):
    p = procedure_with_unit(ctx, "working-days")
    view = dossiers.receive_dossier(ctx, receive_cmd(p.id)).dossier
    digitise_required(ctx, view.code)  # so that only the role decides whether transfer works
    return view


def _event_count(ctx) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Event)) or 0)


@pytest.mark.parametrize(("permission", "role"), CASES, ids=lambda v: str(v.value))
def test_the_wrong_role_is_refused_by_the_service(ctx, received, tmp_path, permission, role):
    before = _event_count(ctx)
    with pytest.raises(PermissionDeniedError) as caught:
        ATTEMPTS[permission](ctx, received, USERS[role], tmp_path)
    assert caught.value.code == "auth.forbidden"
    assert permission.label in caught.value.message
    assert role.label in caught.value.message
    assert _event_count(ctx) == before  # nothing written, not even the audit entry
    assert not (tmp_path / "b.mcbk").exists()


@pytest.mark.parametrize("permission", list(ATTEMPTS), ids=lambda v: str(v.value))
def test_a_role_that_has_the_permission_is_let_through(ctx, received, tmp_path, permission):
    role = next(r for r in Role if permission in MATRIX[r])
    if permission is Permission.RETURN_RESULT:
        dossiers.record_result(ctx, received.code)  # a result must exist before it is returned
    if permission is Permission.CLOSE_CASH_SESSION:
        cash_sessions.open_cash_session(ctx, opening_float=0, officer=USERS[role])
    ATTEMPTS[permission](ctx, received, USERS[role], tmp_path)


def test_restore_over_a_set_up_workstation_needs_the_administrator(ctx, data_dir, tmp_path):
    store = FileKeyStore(tmp_path / "k")
    backup.backup_database(
        ctx, tmp_path / "b.mcbk", officer="giamsat", reason="Định kỳ", key_store=store
    )
    ctx.db.close()
    for who in ("canbo", "sohoa", "giamsat"):
        with pytest.raises(PermissionDeniedError) as caught:
            backup.restore_database(
                data_dir,
                tmp_path / "b.mcbk",
                officer=who,
                clock=ctx.clock,
                workstation="test",
                key_store=store,
            )
        assert "khôi phục dữ liệu" in caught.value.message


def test_a_locked_account_cannot_act_at_all(ctx, received):
    accounts.lock_account(ctx, admin="admin", username="giamsat", reason="Chuyển công tác")
    with pytest.raises(PermissionDeniedError) as caught:
        dossiers.stop(ctx, received.code, "Dừng", officer="giamsat")
    assert caught.value.code == "user.inactive"
    assert "Chuyển công tác" in caught.value.message
