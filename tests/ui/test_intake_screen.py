"""Intake screen driven like an officer would, on real services over a temporary SQLite file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.db.models import Dossier
from app.services.queries import show_dossier
from tests.ui.conftest import type_text
from ui.screens.intake_screen import IntakeScreen

QR = "001190012345||Đặng Thị Hoà|05091990|Nữ|Số 12 tổ 3, phường Tô Hiệu, tỉnh Sơn La|01022021"


def dossier_count(ctx) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(Dossier)) or 0


def make_screen(qtbot, ctx, runner, events) -> IntakeScreen:
    screen = IntakeScreen(ctx, runner, events)
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    return screen


def choose(qtbot, screen: IntakeScreen, typed: str) -> None:
    qtbot.keyClicks(screen.picker.search_box, typed)
    qtbot.keyClick(screen.picker.search_box, Qt.Key.Key_Return)


def test_search_without_diacritics_then_qr_scan_then_receive(qtbot, ctx, runner, events):
    screen = make_screen(qtbot, ctx, runner, events)
    qtbot.keyClicks(screen.picker.search_box, "xac nhan tinh trang hon nhan")
    shown = screen.picker.visible_procedures()
    assert [p.name for p in shown] == ["Cấp Giấy xác nhận tình trạng hôn nhân"]
    qtbot.keyClick(screen.picker.search_box, Qt.Key.Key_Return)
    assert screen.duration.text() == "03 ngày làm việc"
    assert screen.appointment.text() == "09:00 27/11/2026"  # Mon 09:00 + 3 days, 24/11 off
    assert "15 giờ" in screen.appointment.toolTip()
    assert screen.components.rowCount() == len(shown[0].components)

    # The handheld scanner types the chip-ID QR into whatever field has the focus.
    screen.applicant.phone.setFocus()
    type_text(screen.applicant.phone, QR)
    assert screen.applicant.phone.text() == ""
    assert screen.applicant.name.text() == "Đặng Thị Hoà"
    assert screen.applicant.id_number.text() == "001190012345"
    assert screen.applicant.date_of_birth.text() == "05/09/1990"
    assert screen.applicant.sex.currentText() == "Nữ"
    type_text(screen.applicant.phone, "0912 345 678")

    received = []
    screen.dossier_received.connect(received.append)
    # Ctrl+Enter, as the officer presses it, in the field that has the focus.
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    qtbot.keyClick(screen.applicant.phone, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(received) == 1
    stored = show_dossier(ctx, received[0].code)
    assert stored.applicant.name == "Đặng Thị Hoà"
    assert stored.applicant.phone == "0912345678"
    assert stored.applicant.date_of_birth is not None
    assert stored.procedure_name == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert received[0].code in screen.banner.text()
    # A fresh form, focus back on the procedure search.
    assert screen.applicant.name.text() == ""
    assert screen.picker.search_box.hasFocus()


def test_invalid_id_is_shown_next_to_the_field_and_nothing_is_saved(qtbot, ctx, runner, events):
    screen = make_screen(qtbot, ctx, runner, events)
    choose(qtbot, screen, "khai sinh")
    type_text(screen.applicant.name, "Lò Văn Dũng")
    qtbot.keyClicks(screen.applicant.id_number, "12345")
    before = dossier_count(ctx)
    screen.submit()
    assert dossier_count(ctx) == before
    error = screen.applicant.errors["id_number"]
    assert not error.isHidden()
    assert "12 chữ số" in error.text()
    # Nothing typed is lost.
    assert screen.applicant.name.text() == "Lò Văn Dũng"
    assert screen.applicant.id_number.text() == "12345"


def test_submit_without_procedure_or_name_is_refused_politely(qtbot, ctx, runner, events):
    screen = make_screen(qtbot, ctx, runner, events)
    screen.submit()
    assert "Chưa chọn thủ tục" in screen.banner.text()
    choose(qtbot, screen, "khai tu")
    qtbot.keyClicks(screen.applicant.id_number, "001190012345")
    screen.submit()
    assert "họ và tên" in screen.banner.text()
    assert dossier_count(ctx) == 0
