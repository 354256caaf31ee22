"""Refunds: separate transactions with their own document and reason, refused once the dossier
has a result, limited to what was paid, and taken out of a drawer that holds the cash."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.fee_models import FeePayment, FeeReceipt
from app.domain.errors import NotFoundError, PermissionDeniedError, StateError, ValidationError
from app.services.cash_sessions import open_cash_session
from app.services.dossiers import record_result, refuse, return_result, transfer
from app.services.fee_quotes import fee_status
from app.services.fee_refunds import RefundPayment, refund_payment
from tests.app.services.fee_helpers import (
    CRIMINAL_RECORD,
    RESIDENCE,
    SUPERVISOR,
    journal_counts,
    pay,
    receive,
)
from tests.app.services.helpers import digitise_required


def refund(ctx, code, reason="Nộp nhầm thủ tục", **changes):
    return refund_payment(
        ctx, RefundPayment(code=code, reason=reason, officer=SUPERVISOR, **changes)
    )


def test_a_refund_is_its_own_numbered_transaction_and_leaves_payment_and_receipt_alone(ctx):
    code = receive(ctx, CRIMINAL_RECORD)
    payment = pay(ctx, code, "card", reference="POS-1")
    first = refund(ctx, code, amount=50_000)
    assert (first.document_no, first.amount, first.method) == ("HT2026-000001", 50_000, "transfer")
    assert first.amount_words == "Năm mươi nghìn đồng"
    assert fee_status(ctx, code).state == "paid"  # partly refunded
    second = refund(ctx, code, reason="Hoàn phần còn lại")
    assert (second.document_no, second.amount) == ("HT2026-000002", 150_000)
    status = fee_status(ctx, code)
    assert (status.state, status.paid, status.refunded) == ("refunded", 200_000, 200_000)
    with ctx.db.read() as s:
        stored = s.get(FeePayment, payment.id)
        receipt = s.scalars(select(FeeReceipt)).one()
        assert (stored.state, stored.amount) == ("confirmed", 200_000)
        assert receipt.state == "issued"
    assert journal_counts(ctx, "fee_refunds") == (2, 2)


def test_nothing_more_than_what_was_paid_can_be_refunded(ctx):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "online", reference="DVC-1")
    with pytest.raises(ValidationError) as error:
        refund(ctx, code, amount=20_001)
    assert error.value.code == "refund.amount"
    refund(ctx, code)
    with pytest.raises(NotFoundError) as again:
        refund(ctx, code)
    assert again.value.code == "refund.nothing_paid"


def test_a_refund_needs_a_reason(ctx):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "card", reference="POS-1")
    with pytest.raises(ValidationError) as error:
        refund(ctx, code, reason="  ")
    assert error.value.code == "refund.reason"


@pytest.mark.parametrize("steps", [("result",), ("result", "return"), ("refuse",)])
def test_a_refund_after_the_dossier_has_a_result_is_refused(ctx, steps):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "card", reference="POS-1")
    digitise_required(ctx, code)
    transfer(ctx, code)
    for step in steps:
        if step == "result":
            record_result(ctx, code)
        elif step == "return":
            return_result(ctx, code)
        else:
            refuse(ctx, code, "Hồ sơ không thuộc thẩm quyền")
    with pytest.raises(StateError) as error:
        refund(ctx, code)
    assert error.value.code == "refund.after_result"
    assert fee_status(ctx, code).refunded == 0
    assert journal_counts(ctx, "fee_refunds") == (0, 0)


def test_only_a_supervisor_may_refund(ctx):
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "card", reference="POS-1")
    with pytest.raises(PermissionDeniedError):
        refund_payment(ctx, RefundPayment(code=code, reason="x", officer="canbo"))


def test_a_cash_refund_comes_out_of_the_drawer_the_payment_went_into(ctx):
    drawer = open_cash_session(ctx, counts={})  # the counter officer's session, no float
    code = receive(ctx, RESIDENCE)
    pay(ctx, code)
    back = refund(ctx, code, amount=5_000)  # approved by the supervisor, who has no drawer
    assert (back.method, back.session_id) == ("cash", drawer.id)


def test_a_cash_refund_larger_than_the_cash_in_the_drawer_is_refused(ctx):
    open_cash_session(ctx, opening_float=0)
    code = receive(ctx, RESIDENCE)
    pay(ctx, code, "card", reference="POS-1")
    open_cash_session(ctx, opening_float=10_000, officer=SUPERVISOR)
    with pytest.raises(StateError) as error:
        refund(ctx, code, method="cash")
    assert error.value.code == "cash.insufficient"
    assert refund(ctx, code, method="cash", amount=10_000).method == "cash"
