"""The supervisor's daily fee report on real services: it sums every session of the day."""

from __future__ import annotations

import io

import pdfplumber
from PySide6.QtCore import QDate

from app.services.cash_sessions import close_cash_session, open_cash_session
from app.services.fee_refunds import RefundPayment, refund_payment
from tests.app.services.fee_helpers import CRIMINAL_RECORD, RESIDENCE, SUPERVISOR, pay, receive
from ui.print_flow import PrintFlow
from ui.print_support import RecordingPdfPrinter
from ui.screens.supervisor_screen import SupervisorScreen


def test_daily_report_sums_the_sessions_of_the_day_and_prints(qtbot, ctx, runner, events):
    open_cash_session(ctx, counts={100_000: 1})  # canbo, the station's officer
    open_cash_session(ctx, counts={50_000: 1}, officer=SUPERVISOR)
    a = receive(ctx, RESIDENCE)
    pay(ctx, a)  # 20.000 cash, canbo's drawer
    pay(ctx, receive(ctx, RESIDENCE), officer=SUPERVISOR)  # 20.000 cash, supervisor's drawer
    pay(ctx, receive(ctx, CRIMINAL_RECORD), "card", reference="POS-1", officer=SUPERVISOR)
    # The supervisor approves and pays the refund from their own drawer.
    refund_payment(ctx, RefundPayment(code=a, reason="Thu thừa", amount=5_000, officer=SUPERVISOR))
    close_cash_session(ctx, {100_000: 1, 20_000: 1})  # canbo: 120.000, balanced

    screen = SupervisorScreen(ctx, runner, events)
    qtbot.addWidget(screen)
    printer = RecordingPdfPrinter()
    flow = PrintFlow(ctx, runner, printer, lambda: None, screen)
    report_screen = screen.fee_report
    report_screen.document_requested.connect(flow.print_document)
    screen.refresh()
    report = report_screen.report
    assert report is not None
    assert (report.collected, report.refunded, report.net) == (240_000, 5_000, 235_000)
    assert report_screen.sessions.rowCount() == 2
    officers = [report_screen.sessions.item(r, 0).text() for r in range(2)]
    assert sorted(officers) == ["canbo", SUPERVISOR]
    row = officers.index("canbo")
    assert report_screen.sessions.item(row, 7).text() == "120.000 đồng"
    # The supervisor's open drawer: 50.000 + 20.000 − 5.000 refunded.
    assert report_screen.sessions.item(1 - row, 6).text() == "65.000 đồng"
    assert report_screen.sessions.item(row, 8).text() == "0 đồng (khớp)"
    assert report_screen.sessions.item(1 - row, 3).text() == "đang mở"
    summary = report_screen.summary.text()
    assert "tổng thu <b>240.000 đồng</b>" in summary and "đang mở: 1" in summary
    methods = {
        report_screen.by_method.item(r, 0).text(): report_screen.by_method.item(r, 2).text()
        for r in range(report_screen.by_method.rowCount())
    }
    assert methods == {"Tiền mặt": "40.000 đồng", "Thẻ (máy POS)": "200.000 đồng"}
    assert report_screen.refunds.item(0, 4).text() == "Thu thừa"

    report_screen.print_button.click()
    doc_type, title, pdf = printer.printed[-1]
    assert doc_type == "forms" and "23/11/2026" in title
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "240.000" in text and "235.000" in text


def test_another_day_has_nothing(qtbot, ctx, runner, events):
    open_cash_session(ctx, opening_float=0)
    pay(ctx, receive(ctx, RESIDENCE))
    screen = SupervisorScreen(ctx, runner, events)
    qtbot.addWidget(screen)
    screen.fee_report.day.setDate(QDate(2026, 11, 20))
    screen.fee_report.refresh()
    assert screen.fee_report.report is not None
    assert screen.fee_report.report.collected == 0
    assert screen.fee_report.sessions.rowCount() == 0
