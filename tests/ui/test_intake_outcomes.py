"""Intake outcomes other than a complete dossier: "Yêu cầu bổ sung" prints form 02 and "Từ chối
tiếp nhận" prints form 03, each with the reason the officer typed; no reason, nothing saved."""

from __future__ import annotations

import io

import pdfplumber
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.db.models import Dossier
from app.services.queries import show_dossier
from tests.ui.conftest import type_text
from ui.dialogs.reason_dialog import ReasonDialog
from ui.main_window import MainWindow
from ui.print_support import RecordingPdfPrinter


def dossier_count(ctx) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(Dossier)) or 0


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def window_with_applicant(qtbot, ctx, runner, events, qsettings):
    printer = RecordingPdfPrinter()
    window = MainWindow(ctx, runner, events, qsettings, printer=printer)
    qtbot.addWidget(window)
    intake = window.intake
    qtbot.keyClicks(intake.picker.search_box, "dang ky thuong tru")
    qtbot.keyClick(intake.picker.search_box, Qt.Key.Key_Return)
    type_text(intake.applicant.name, "Lò Thị Mai")
    qtbot.keyClicks(intake.applicant.id_number, "014195004321")
    return window, printer


def answer_reason_dialog(lines: str | None, seen: list[str]) -> None:
    """When the reason dialog opens (modal), type `lines` and confirm, or cancel with None."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ReasonDialog):
            if dialog is not None:
                dialog.close()
            return
        seen.append(dialog.windowTitle())
        if lines is None:
            dialog.ok_button.click()  # empty: refused inside the dialog
            seen.append(dialog.error.text())
            dialog.reject()
        else:
            dialog.text.setPlainText(lines)
            dialog.ok_button.click()

    QTimer.singleShot(0, answer)


def test_supplement_request_button_saves_status_5_and_prints_form_02_with_the_items(
    qtbot, ctx, runner, events, qsettings
):
    window, printer = window_with_applicant(qtbot, ctx, runner, events, qsettings)
    intake = window.intake
    button = intake.outcome_buttons["incomplete"]
    assert "Ctrl+Shift+B" in button.text()
    seen: list[str] = []
    answer_reason_dialog("Bản sao giấy khai sinh chưa chứng thực\nThiếu tờ khai CT01", seen)
    button.click()
    assert seen == ["Yêu cầu bổ sung (mẫu 02)"]
    doc_type, title, pdf = printer.printed[-1]
    code = title.split(" — ")[-1]
    assert doc_type == "forms" and title.startswith("Phiếu yêu cầu bổ sung")
    view = show_dossier(ctx, code)
    assert view.status == 5
    (request,) = [e for e in view.events if e.action == "supplement-request"]
    assert request.reason == "Bản sao giấy khai sinh chưa chứng thực; Thiếu tờ khai CT01"
    text = pdf_text(pdf)
    assert "BỔ SUNG" in text.upper()
    assert "Bản sao giấy khai sinh chưa chứng thực" in text and "Thiếu tờ khai CT01" in text
    # A fresh form, as after a receipt; no fee is collected for an incomplete dossier.
    assert intake.applicant.name.text() == ""
    assert code in intake.banner.text()
    assert intake.fee_strip.isHidden()


def test_refusal_shortcut_saves_status_3_and_prints_form_03_with_the_reason(
    qtbot, ctx, runner, events, qsettings
):
    window, printer = window_with_applicant(qtbot, ctx, runner, events, qsettings)
    intake = window.intake
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    seen: list[str] = []
    answer_reason_dialog("Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã", seen)
    qtbot.keyClick(
        intake.applicant.id_number,
        Qt.Key.Key_T,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert seen == ["Từ chối tiếp nhận (mẫu 03)"]
    doc_type, title, pdf = printer.printed[-1]
    code = title.split(" — ")[-1]
    assert doc_type == "forms" and title.startswith("Phiếu từ chối tiếp nhận")
    view = show_dossier(ctx, code)
    assert view.status == 3
    (refusal,) = [e for e in view.events if e.action == "refuse"]
    assert refusal.reason == "Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã"
    text = " ".join(pdf_text(pdf).split())
    assert "TỪ CHỐI" in text.upper()
    assert "Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã" in text


def test_an_empty_reason_is_refused_and_nothing_is_saved(qtbot, ctx, runner, events, qsettings):
    window, printer = window_with_applicant(qtbot, ctx, runner, events, qsettings)
    intake = window.intake
    seen: list[str] = []
    answer_reason_dialog(None, seen)
    intake.outcome_buttons["ineligible"].click()
    assert seen == [
        "Từ chối tiếp nhận (mẫu 03)",
        "Xin vui lòng ghi rõ lý do từ chối tiếp nhận hồ sơ.",
    ]
    # The service refuses a blank reason too (e.g. only spaces typed).
    intake.submit_outcome("incomplete", reason="   ")
    assert "Cần ghi rõ nội dung cần bổ sung" in intake.banner.text()
    assert dossier_count(ctx) == 0
    assert printer.printed == []
    assert intake.applicant.name.text() == "Lò Thị Mai"  # nothing typed is lost
    assert intake.applicant.id_number.text() == "014195004321"


def test_the_form_is_checked_before_the_reason_is_asked(qtbot, ctx, runner, events, qsettings):
    window, _printer = window_with_applicant(qtbot, ctx, runner, events, qsettings)
    intake = window.intake
    intake.applicant.id_number.setText("12345")
    seen: list[str] = []
    answer_reason_dialog("Thiếu giấy tờ", seen)
    intake.outcome_buttons["incomplete"].click()
    QApplication.processEvents()  # let the timer run: no dialog was open to answer
    assert seen == []
    assert "12 chữ số" in intake.banner.text()
    assert dossier_count(ctx) == 0
