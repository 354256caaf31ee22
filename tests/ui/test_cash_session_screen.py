"""The cash session screen on real services: open with a counted float, take cash through the fee
panel, close with the drawer counted by denomination, the difference and its reason, the report."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from PySide6.QtCore import Qt

from app.services.cash_sessions import current_cash_session
from app.services.fee_quotes import fee_status
from app.services.fee_reports import cash_session_report
from tests.app.services.fee_helpers import CRIMINAL_RECORD, RESIDENCE, receive
from tests.ui.conftest import type_text
from ui.print_flow import PrintFlow
from ui.print_support import RecordingPdfPrinter
from ui.screens.cash_session_screen import CashSessionScreen
from ui.widgets.fee_panel import FeePanel


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture
def printer():
    return RecordingPdfPrinter()


@pytest.fixture
def screen(qtbot, ctx, runner, events, printer):
    screen = CashSessionScreen(ctx, runner, events)
    qtbot.addWidget(screen)
    flow = PrintFlow(ctx, runner, printer, lambda: None, screen)
    screen.document_requested.connect(flow.print_document)
    screen.resize(1366, 700)
    screen.refresh()
    return screen


def test_open_pay_close_with_a_difference_and_its_reason_then_the_report(
    qtbot, ctx, runner, events, printer, screen
):
    assert "Chưa mở ca" in screen.state.text()
    assert screen.open_button.isVisibleTo(screen) and not screen.close_button.isVisibleTo(screen)
    screen.count.spins[100_000].setValue(2)
    screen.count.spins[50_000].setValue(1)
    assert screen.count.total_label.text() == "250.000 đồng"
    screen.open_session()
    opened = current_cash_session(ctx)
    assert opened is not None
    assert (opened.opening_float, opened.opening_counts) == (250_000, {"100000": 2, "50000": 1})
    assert "tiền đầu ca 250.000 đồng" in screen.state.text()
    assert screen.close_button.isVisibleTo(screen)

    # Two payments at the counter: cash 20.000 and a card payment (not in the drawer).
    panel = FeePanel(ctx, runner, events)
    qtbot.addWidget(panel)
    panel.set_dossier(receive(ctx, RESIDENCE))
    panel.pay()
    assert fee_status(ctx, panel.code).state == "paid"
    panel.set_dossier(receive(ctx, CRIMINAL_RECORD))
    panel.method.setCurrentIndex(panel.method.findData("card"))
    qtbot.keyClicks(panel.reference, "POS-000123")
    qtbot.keyClick(panel.reference, Qt.Key.Key_Return)  # Enter in the last field records it
    assert fee_status(ctx, panel.code).state == "paid"
    assert fee_status(ctx, panel.code).payments[0].reference == "POS-000123"
    screen.refresh()
    assert screen.expected.text() == "270.000 đồng"  # 250.000 + 20.000 cash
    assert "Thẻ (máy POS)" in [screen.by_method.item(r, 0).text() for r in range(2)]

    # 265.000 counted: 5.000 missing, which needs a reason.
    for value, notes in {100_000: 2, 50_000: 1, 10_000: 1, 5_000: 1}.items():
        screen.count.spins[value].setValue(notes)
    assert screen.counted.text() == "265.000 đồng"
    assert screen.difference.text() == "−5.000 đồng (thiếu)"
    screen.close_session()
    assert "thiếu 5.000 đồng" in screen.message.text() and "lý do" in screen.message.text()
    assert current_cash_session(ctx) is not None  # still open, the count kept
    assert screen.count.total() == 265_000
    type_text(screen.reason, "Trả lại tiền thừa nhầm cho người nộp")
    screen.close_session()
    assert current_cash_session(ctx) is None
    closed = cash_session_report(ctx, opened.id).session
    assert (closed.expected_total, closed.counted_total, closed.difference) == (
        270_000,
        265_000,
        -5_000,
    )
    assert closed.difference_reason == "Trả lại tiền thừa nhầm cho người nộp"
    assert closed.counted_counts == {"100000": 2, "50000": 1, "10000": 1, "5000": 1}
    assert "Chưa mở ca" in screen.state.text()
    assert "−5.000 đồng (thiếu)" in screen.totals.text()
    doc_type, title, pdf = printer.printed[-1]
    assert doc_type == "forms" and "Báo cáo ca thu tiền" in title
    text = pdf_text(pdf)
    assert "265.000" in text and "270.000" in text
    assert "Trả lại tiền thừa nhầm cho người nộp" in " ".join(text.split())
    screen.print_button.click()  # the closed session's report can be printed again
    assert len(printer.printed) == 2


def test_a_balanced_close_needs_no_reason(qtbot, ctx, screen, printer):
    screen.count.spins[20_000].setValue(3)
    screen.open_session()
    screen.count.spins[20_000].setValue(3)
    assert screen.difference.text() == "0 đồng (khớp)"
    screen.close_session()
    assert current_cash_session(ctx) is None
    assert "chênh lệch 0 đồng (khớp)" in screen.message.text()
    assert len(printer.printed) == 1


def test_only_one_open_session_per_officer(qtbot, ctx, runner, events, screen):
    screen.open_session()
    other = CashSessionScreen(ctx, runner, events)
    qtbot.addWidget(other)
    other.open_session()  # it has not loaded yet: the service refuses the second session
    assert "chưa đóng" in other.message.text()
