"""Cash sessions: opening with a counted float, closing with a count by denomination, the
difference and its reason, business dates across midnight, the session and daily reports, and
totals that still reconcile after the process is killed mid-session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.bootstrap import init_demo_data, open_context
from app.db.fee_models import CashSession, FeePayment, FeeReceipt
from app.db.models import Event, OutboxEntry
from app.domain.clock import VN_TZ
from app.domain.errors import NotFoundError, StateError, ValidationError
from app.services import fee_receipts
from app.services.cash_sessions import close_cash_session, current_cash_session, open_cash_session
from app.services.fee_refunds import RefundPayment, refund_payment
from app.services.fee_reports import cash_session_report, daily_fee_report
from tests.app.services.fee_helpers import (
    CERTIFY_COPY,
    CRIMINAL_RECORD,
    RESIDENCE,
    SUPERVISOR,
    journal_counts,
    pay,
    receive,
)

ROOT = Path(__file__).resolve().parents[3]


def test_a_session_opens_with_the_float_counted_by_denomination(ctx):
    view = open_cash_session(ctx, counts={100_000: 3, 10_000: 5})
    assert (view.opening_float, view.opening_counts) == (350_000, {"100000": 3, "10000": 5})
    assert (view.state, view.business_date, view.officer) == ("open", date(2026, 11, 23), "canbo")
    assert current_cash_session(ctx) == view
    assert journal_counts(ctx, "cash_sessions") == (1, 1)


def test_an_officer_cannot_open_a_second_session_or_give_a_float_that_does_not_match(ctx):
    with pytest.raises(ValidationError) as mismatch:
        open_cash_session(ctx, counts={100_000: 1}, opening_float=200_000)
    assert mismatch.value.code == "cash.float_mismatch"
    open_cash_session(ctx, opening_float=0)
    with pytest.raises(StateError) as error:
        open_cash_session(ctx, opening_float=0)
    assert error.value.code == "cash.session_open"


def test_closing_reconciles_float_plus_cash_taken_minus_cash_refunded(ctx):
    open_cash_session(ctx, counts={100_000: 2})
    a, b = receive(ctx, RESIDENCE), receive(ctx, CERTIFY_COPY)
    pay(ctx, a)  # 20.000 cash
    pay(ctx, b, pages=5)  # 7.000 cash
    pay(ctx, receive(ctx, CRIMINAL_RECORD), "card", reference="POS-1")  # not cash
    refund_payment(ctx, RefundPayment(code=a, reason="Thu thừa", amount=5_000, officer=SUPERVISOR))
    expected = 200_000 + 20_000 + 7_000 - 5_000
    counts = {100_000: 2, 20_000: 1, 2_000: 1}  # 222.000
    assert sum(k * v for k, v in counts.items()) == expected
    closed = close_cash_session(ctx, counts)
    assert (closed.state, closed.expected_total, closed.counted_total, closed.difference) == (
        "closed",
        expected,
        expected,
        0,
    )
    assert closed.counted_counts == {"100000": 2, "20000": 1, "2000": 1}
    with pytest.raises(NotFoundError):
        close_cash_session(ctx, counts)  # nothing open any more


def test_a_difference_at_close_must_be_explained_and_is_recorded(ctx):
    open_cash_session(ctx, counts={50_000: 1})
    pay(ctx, receive(ctx, RESIDENCE))
    short = {50_000: 1, 10_000: 1, 5_000: 1}  # 65.000 of 70.000
    with pytest.raises(ValidationError) as error:
        close_cash_session(ctx, short)
    assert error.value.code == "cash.difference_reason"
    assert current_cash_session(ctx) is not None  # still open: nothing was written
    closed = close_cash_session(ctx, short, reason="Trả lại tiền thừa nhầm cho người nộp")
    assert (closed.difference, closed.difference_reason) == (
        -5_000,
        "Trả lại tiền thừa nhầm cho người nộp",
    )
    with ctx.db.read() as s:
        event = s.scalars(select(Event).where(Event.action == "cash-session-close")).one()
        assert event.reason == closed.difference_reason
        assert event.data["difference"] == -5_000


def test_a_session_crossing_midnight_keeps_its_business_date(ctx, clock):
    clock.current = datetime(2026, 11, 23, 22, 0, tzinfo=VN_TZ)
    session = open_cash_session(ctx, opening_float=0)
    code = receive(ctx, RESIDENCE)
    clock.current = datetime(2026, 11, 24, 0, 30, tzinfo=VN_TZ)
    late = pay(ctx, code)
    assert late.business_date == date(2026, 11, 23)
    clock.current = datetime(2026, 11, 24, 1, 0, tzinfo=VN_TZ)
    closed = close_cash_session(ctx, {20_000: 1})
    assert (closed.business_date, closed.difference) == (date(2026, 11, 23), 0)
    day = daily_fee_report(ctx, date(2026, 11, 23))
    assert ([s.session.id for s in day.sessions], day.collected) == ([session.id], 20_000)
    next_day = daily_fee_report(ctx, date(2026, 11, 24))
    assert (next_day.sessions, next_day.collected) == ((), 0)


def test_the_session_report_shows_methods_procedures_refunds_and_receipts(ctx):
    open_cash_session(ctx, opening_float=100_000)
    residence = receive(ctx, RESIDENCE)
    first = pay(ctx, residence)
    pay(ctx, receive(ctx, RESIDENCE))
    pay(ctx, receive(ctx, CRIMINAL_RECORD), "card", reference="POS-7")
    pay(ctx, receive(ctx, CRIMINAL_RECORD), "vietqr")  # still awaiting
    pay(ctx, receive(ctx, CRIMINAL_RECORD), "exempt", reason="Trẻ em")
    fee_receipts.cancel_receipt(ctx, first.receipt.lookup_code, "In nhầm")
    refund_payment(
        ctx, RefundPayment(code=residence, reason="Thu thừa", amount=10_000, officer=SUPERVISOR)
    )
    report = cash_session_report(ctx)
    assert [(m.method, m.count, m.amount) for m in report.by_method] == [
        ("cash", 2, 40_000),
        ("card", 1, 200_000),
        ("exempt", 1, 0),
    ]
    assert {(p.code, p.count, p.amount) for p in report.by_procedure} == {
        (RESIDENCE, 2, 40_000),
        (CRIMINAL_RECORD, 2, 200_000),
    }
    assert (report.collected, report.refunded) == (240_000, 10_000)
    assert (report.cash_in, report.cash_out, report.expected_cash) == (40_000, 10_000, 130_000)
    assert (report.awaiting_count, report.awaiting_amount, report.exempt_count) == (1, 200_000, 1)
    assert [r.number for r in report.receipts_issued] == [1, 2, 3]
    assert [r.number for r in report.receipts_cancelled] == [1]
    assert [r.document_no for r in report.refunds] == ["HT2026-000001"]


def test_the_daily_report_sums_every_session_of_the_unit_and_payments_outside_them(ctx):
    open_cash_session(ctx, opening_float=50_000)
    open_cash_session(ctx, opening_float=20_000, officer=SUPERVISOR)
    pay(ctx, receive(ctx, RESIDENCE))
    pay(ctx, receive(ctx, RESIDENCE), officer=SUPERVISOR)
    close_cash_session(ctx, {50_000: 1, 20_000: 1})
    close_cash_session(ctx, {20_000: 1}, reason="Thiếu 20.000 chưa rõ", officer=SUPERVISOR)
    day = daily_fee_report(ctx, date(2026, 11, 23))
    assert sorted(s.session.officer for s in day.sessions) == ["canbo", SUPERVISOR]
    assert (day.collected, day.net, day.cash_expected) == (40_000, 40_000, 110_000)
    assert (day.cash_counted, day.difference, day.open_sessions) == (90_000, -20_000, 0)
    assert (day.receipts_issued, day.receipts_cancelled) == (2, 0)
    assert [(m.method, m.count, m.amount) for m in day.by_method] == [("cash", 2, 40_000)]


def test_a_closed_session_cannot_be_closed_again_even_by_id(ctx):
    view = open_cash_session(ctx, opening_float=0)
    close_cash_session(ctx, {})
    with pytest.raises(StateError) as error:
        close_cash_session(ctx, {}, session_id=view.id, officer=SUPERVISOR)
    assert error.value.code == "cash.session_closed"


@pytest.mark.slow
def test_session_totals_reconcile_with_the_payments_after_a_kill_mid_session(tmp_path):
    ctx = open_context(tmp_path)
    init_demo_data(ctx)
    session = open_cash_session(ctx, counts={500_000: 1})
    ctx.db.close()
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.app.services.fee_crash_worker", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reported: dict[str, int] = {}
    assert worker.stdout is not None
    for line in worker.stdout:
        payment_id, amount = line.split()
        reported[payment_id] = int(amount)
        if len(reported) >= 25:
            break
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    reopened = open_context(tmp_path)
    with reopened.db.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = {p.id: p for p in s.scalars(select(FeePayment))}
        # Every payment reported as taken is there, in the session, with its amount.
        assert set(reported) <= set(stored)
        for payment_id, amount in reported.items():
            assert (stored[payment_id].amount, stored[payment_id].session_id) == (
                amount,
                session.id,
            )
        # Each stored payment has exactly its one event and one outbox entry: none half-written.
        for payment_id in stored:
            assert s.scalar(select(func.count()).where(Event.entity_id == payment_id)) == 1
            assert s.scalar(select(func.count()).where(OutboxEntry.entity_id == payment_id)) == 1
        # Receipts: at most one per payment, numbered 1…n without gaps or repeats.
        receipts = s.scalars(select(FeeReceipt).order_by(FeeReceipt.number)).all()
        assert [r.number for r in receipts] == list(range(1, len(receipts) + 1))
        assert len({r.payment_id for r in receipts}) == len(receipts)
        assert set(reported) <= {r.payment_id for r in receipts}
        taken = sum(p.amount for p in stored.values())
        assert s.get(CashSession, session.id).state == "open"
    # The report and the close agree with the committed rows, to the đồng.
    report = cash_session_report(reopened, session.id)
    assert (report.cash_in, report.expected_cash) == (taken, 500_000 + taken)
    assert report.collected == taken
    pending = [p for p in stored if p not in {r.payment_id for r in receipts}]
    for payment_id in pending:  # a kill between payment and receipt: complete it now
        fee_receipts.issue_receipt(reopened, payment_id)
    counts = _notes(500_000 + taken)
    closed = close_cash_session(reopened, counts)
    assert (closed.expected_total, closed.counted_total, closed.difference) == (
        500_000 + taken,
        500_000 + taken,
        0,
    )
    assert daily_fee_report(reopened, closed.business_date).collected == taken
    reopened.db.close()


def _notes(amount: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in (500_000, 200_000, 100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000):
        counts[value], amount = divmod(amount, value)
    assert amount == 0
    return counts
