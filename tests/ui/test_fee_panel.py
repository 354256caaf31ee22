"""The fee panel on real fee services: the quote before paying, cash with its receipt printed, a
VietQR transfer whose on-screen QR decodes to the domain's payload, confirmation, exemption,
receipt cancellation and refunds with their required reasons."""

from __future__ import annotations

import io

import pdfplumber
import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog

from app.domain.vietqr import build_payload, payment_memo
from app.services.cash_sessions import open_cash_session
from app.services.fee_quotes import fee_status
from app.services.fee_receipts import look_up_receipt
from tests.app.services.fee_helpers import CERTIFY_COPY, RESIDENCE, SUPERVISOR, pay, receive
from tests.ui.conftest import type_text
from ui.dialogs.reason_dialog import ReasonDialog
from ui.print_flow import PrintFlow
from ui.print_support import RecordingPdfPrinter
from ui.screens.intake_screen import IntakeScreen
from ui.widgets.fee_panel import FeePanel

BIRTH = "1.001193"  # lệ phí 0 + 5.000 for a late registration (an item that may not apply)


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture
def printer():
    return RecordingPdfPrinter()


def make_panel(qtbot, ctx, runner, events, printer, officer=None) -> FeePanel:
    panel = FeePanel(ctx, runner, events, officer=lambda: officer)
    qtbot.addWidget(panel)
    flow = PrintFlow(ctx, runner, printer, lambda: officer, panel)
    panel.document_requested.connect(flow.print_document)
    panel.resize(1300, 700)
    return panel


def choose_method(panel: FeePanel, method: str) -> None:
    panel.method.setCurrentIndex(panel.method.findData(method))


def test_intake_of_a_procedure_with_a_fee_shows_the_quote_then_its_fee_page(
    qtbot, ctx, runner, events
):
    screen = IntakeScreen(ctx, runner, events)
    qtbot.addWidget(screen)
    qtbot.keyClicks(screen.picker.search_box, "dang ky thuong tru")
    qtbot.keyClick(screen.picker.search_box, Qt.Key.Key_Return)
    assert "20.000 đồng" in screen.fees.text()
    type_text(screen.applicant.name, "Lò Văn Dũng")
    qtbot.keyClicks(screen.applicant.id_number, "014195004321")
    screen.submit()
    code = screen.fee_panel.code
    assert code is not None and code in screen.banner.text()
    # A fresh form for the next applicant, and the amount due of the dossier just received.
    assert screen.pages.currentWidget() is screen.form_page
    assert not screen.fee_strip.isHidden()
    assert "phải nộp <b>20.000 đồng</b> (Hai mươi nghìn đồng)" in screen.fee_summary.text()
    screen.show_fees()
    assert screen.pages.currentWidget() is screen.fee_page
    panel = screen.fee_panel
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 1).text() == "Lệ phí đăng ký thường trú"
    assert panel.table.item(0, 2).text() == "Lệ phí"
    assert panel.table.item(0, 4).text() == "20.000 đồng"
    assert panel.total.text() == "Tổng cộng: 20.000 đồng"
    assert panel.badge.text() == "Chưa nộp phí"
    screen.back_to_form()
    assert screen.pages.currentWidget() is screen.form_page


def test_cash_with_an_open_session_is_paid_and_its_receipt_printed(
    qtbot, ctx, runner, events, printer
):
    code = receive(ctx, RESIDENCE)
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.set_dossier(code)
    choose_method(panel, "cash")
    panel.pay()
    assert "Chưa mở ca thu tiền" in panel.message.text()  # refused, nothing recorded
    assert fee_status(ctx, code).state == "due"
    open_cash_session(ctx, counts={100_000: 1})
    panel.pay()
    status = fee_status(ctx, code)
    assert status.state == "paid"
    receipt = status.payments[0].receipt
    assert receipt is not None and receipt.number == 1
    assert f"Biên lai số {receipt.number_text}" in panel.message.text()
    assert panel.badge.text() == "Đã nộp phí"
    assert not panel.pay_button.isEnabled()
    doc_type, title, pdf = printer.printed[-1]
    assert doc_type == "receipt" and receipt.number_text in title
    text = pdf_text(pdf)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text and code in text and "20.000" in text


def test_vietqr_shows_the_domains_payload_large_then_the_transfer_is_confirmed(
    qtbot, ctx, runner, events, printer
):
    code = receive(ctx, RESIDENCE)
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_dossier(code)
    choose_method(panel, "vietqr")
    panel.pay()
    assert panel.main.currentWidget() is panel.transfer_box
    assert "chờ xác nhận" in panel.badge.text()
    assert min(panel.qr.width(), panel.qr.height()) >= 280  # large enough for a phone
    image = panel.qr.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pil = Image.frombytes(
        "RGB",
        (image.width(), image.height()),
        bytes(image.constBits()),
        "raw",
        "RGB",
        image.bytesPerLine(),
    )
    (decoded,) = zxingcpp.read_barcodes(pil)
    memo = payment_memo(code)
    assert memo.startswith("HS ") and memo.endswith(code.split("-", 1)[1])
    assert decoded.text == build_payload("970415", "113366668888", 20_000, memo)
    assert memo in panel.qr_caption.text() and "20.000 đồng" in panel.qr_caption.text()
    assert fee_status(ctx, code).state == "due"  # not paid until the officer confirms

    panel.print_qr()
    assert printer.printed[-1][0] == "thermal"
    assert memo in pdf_text(printer.printed[-1][2])

    qtbot.keyClicks(panel.bank_reference, "FT2632700001")
    panel.confirm_button.click()
    status = fee_status(ctx, code)
    assert status.state == "paid"
    assert status.payments[0].reference == "FT2632700001"
    assert status.payments[0].receipt is not None
    assert panel.main.currentWidget() is panel.due_box
    assert printer.printed[-1][0] == "receipt"


def test_an_awaiting_transfer_is_cancelled_only_with_a_reason(qtbot, ctx, runner, events, printer):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "vietqr")
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.set_dossier(code)
    assert panel.main.currentWidget() is panel.transfer_box
    panel.cancel_transfer("  ")
    assert "lý do" in panel.message.text()
    assert fee_status(ctx, code).awaiting == 20_000
    panel.cancel_transfer("Người nộp chuyển sang nộp tiền mặt")
    assert fee_status(ctx, code).awaiting == 0
    assert panel.main.currentWidget() is panel.due_box
    assert panel.pay_button.isEnabled()


def test_breakdown_follows_pages_and_items_that_do_not_apply(qtbot, ctx, runner, events, printer):
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.set_dossier(receive(ctx, CERTIFY_COPY))
    panel.pages.setValue(5)  # 2 × 2.000 + 3 × 1.000 per copy
    panel.copies.setValue(2)
    assert panel.total.text() == "Tổng cộng: 14.000 đồng"
    assert panel.table.item(0, 3).text() == "10 trang"

    panel.set_dossier(receive(ctx, BIRTH))
    assert panel.total.text() == "Tổng cộng: 5.000 đồng"
    rows = range(panel.table.rowCount())
    late = next(r for r in rows if panel.table.item(r, 4).text() == "5.000 đồng")
    panel.table.item(late, 0).setCheckState(Qt.CheckState.Unchecked)
    assert panel.total.text() == "Tổng cộng: 0 đồng"
    assert panel.table.item(late, 4).text() == "Không áp dụng"
    assert panel.table.rowCount() == 2  # still listed, so it can be ticked again


def test_exemption_needs_its_reason_and_shows_before_it_is_recorded(
    qtbot, ctx, runner, events, printer
):
    code = receive(ctx, RESIDENCE)
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.set_dossier(code)
    choose_method(panel, "exempt")
    panel.pay()
    assert "lý do" in panel.message.text()
    assert fee_status(ctx, code).state == "due"
    type_text(panel.reason, "Người có công với cách mạng")
    type_text(panel.legal_basis, "Điều 5 Thông tư 85/2019/TT-BTC")
    panel.reason.editingFinished.emit()
    assert panel.total.text() == "Tổng cộng: 0 đồng"
    assert "Miễn: Người có công với cách mạng" in panel.table.item(0, 5).text()
    panel.pay()
    assert fee_status(ctx, code).state == "exempt"
    assert panel.badge.text() == "Được miễn phí"
    assert printer.printed == []  # nothing was paid: no receipt


def test_receipt_cancelled_with_a_reason_then_reissued(qtbot, ctx, runner, events, printer):
    open_cash_session(ctx, opening_float=0)
    code = receive(ctx, RESIDENCE)
    first = pay(ctx, code).receipt
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.set_dossier(code)
    assert panel.paid.cancel_receipt_button.isVisibleTo(panel)
    panel.paid.cancel_receipt("")
    assert "lý do" in panel.message.text().lower()
    assert look_up_receipt(ctx, first.lookup_code).state == "issued"
    panel.paid.cancel_receipt("Ghi sai địa chỉ người nộp")
    cancelled = look_up_receipt(ctx, first.lookup_code)
    assert (cancelled.state, cancelled.cancel_reason) == ("cancelled", "Ghi sai địa chỉ người nộp")
    assert panel.paid.issue_receipt_button.isVisibleTo(panel)
    assert "Chưa lập biên lai" in panel.paid.table.item(0, 4).text()
    panel.paid.issue_receipt()
    second = fee_status(ctx, code).payments[0].receipt
    assert second is not None and second.number == 2
    assert second.number_text in printer.printed[-1][1]


def test_refund_needs_a_reason_and_the_supervisors_permission(qtbot, ctx, runner, events, printer):
    open_cash_session(ctx, counts={100_000: 1})
    code = receive(ctx, RESIDENCE)
    pay(ctx, code)
    officer = ["canbo"]
    panel = FeePanel(ctx, runner, events, officer=lambda: officer[0])
    qtbot.addWidget(panel)
    panel.set_dossier(code)
    assert panel.paid.refund_button.isVisibleTo(panel)
    panel.paid.refund("Thu nhầm thủ tục")
    assert "không được phép hoàn trả phí, lệ phí" in panel.message.text()
    officer[0] = SUPERVISOR
    panel.paid.refund("   ")
    assert "phải ghi rõ lý do" in panel.message.text()
    assert fee_status(ctx, code).refunded == 0
    panel.paid.refund("Thu nhầm thủ tục", amount=20_000)
    status = fee_status(ctx, code)
    assert (status.state, status.refunded) == ("refunded", 20_000)
    assert status.refunds[0].reason == "Thu nhầm thủ tục"
    assert status.refunds[0].document_no in panel.message.text()
    assert panel.badge.text() == "Đã hoàn trả phí"
    assert not panel.paid.refund_button.isVisibleTo(panel)


def test_reason_dialog_refuses_an_empty_reason_and_joins_lines(qtbot):
    dialog = ReasonDialog("Hoàn trả", "Lý do:", required="Phải ghi rõ lý do.", amount=20_000)
    qtbot.addWidget(dialog)
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text() == "Phải ghi rõ lý do."
    dialog.text.setPlainText("Thiếu bản sao CCCD\n\n  Đơn chưa ký  ")
    assert dialog.amount is not None and dialog.amount.text() == "20.000 đồng"
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.reason() == "Thiếu bản sao CCCD; Đơn chưa ký"


def test_dossier_view_collects_with_ctrl_enter_and_the_window_prints_the_receipt(
    qtbot, ctx, runner, events, qsettings, printer
):
    from ui.main_window import MainWindow

    open_cash_session(ctx, opening_float=0)
    code = receive(ctx, RESIDENCE)
    window = MainWindow(ctx, runner, events, qsettings, printer=printer)
    qtbot.addWidget(window)
    assert not window.intake.fee_panel.paid.refunds_allowed  # refunds belong to the dossier view
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    events.dossier_opened.emit(code)
    window.dossier.show_fees()
    panel = window.dossier.fee_panel
    assert panel.code == code and panel.total.text() == "Tổng cộng: 20.000 đồng"
    assert panel.method.hasFocus()
    qtbot.keyClick(panel.method, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert fee_status(ctx, code).state == "paid"
    doc_type, title, _pdf = printer.printed[-1]
    assert doc_type == "receipt" and code in title
    assert "Đã in" in window.statusBar().currentMessage()
    assert panel.paid.refund_button.isVisibleTo(panel)


def test_with_the_threaded_runner_the_amount_shows_before_paying_is_possible(
    qtbot, ctx, events, printer
):
    from ui.ops import OpRunner

    open_cash_session(ctx, opening_float=0)
    code = receive(ctx, CERTIFY_COPY)
    runner = OpRunner()
    panel = make_panel(qtbot, ctx, runner, events, printer)
    panel.set_dossier(code)
    qtbot.waitUntil(lambda: panel.total.text() == "Tổng cộng: 2.000 đồng")
    panel.pages.setValue(3)
    # While the new amount is being computed, nothing can be recorded against the old one.
    assert not panel.pay_button.isEnabled()
    qtbot.waitUntil(lambda: panel.total.text() == "Tổng cộng: 5.000 đồng")
    assert panel.pay_button.isEnabled()
    panel.pay()
    qtbot.waitUntil(lambda: panel.badge.text() == "Đã nộp phí")
    assert fee_status(ctx, code).payments[0].amount == 5_000
    qtbot.waitUntil(lambda: not runner.busy)
