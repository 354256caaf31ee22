"""The fee tables keep their evidence: payments, receipts, refunds and cash sessions are never
deleted (migration 0003's triggers), even by a direct SQL statement."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, func, select, text

from app.db.fee_models import CashSession, FeePayment, FeeReceipt, FeeRefund
from app.services.cash_sessions import open_cash_session
from app.services.fee_refunds import RefundPayment, refund_payment
from tests.app.services.fee_helpers import RESIDENCE, SUPERVISOR, pay, receive


@pytest.mark.parametrize(
    "model", [FeePayment, FeeReceipt, FeeRefund, CashSession], ids=lambda m: m.__tablename__
)
def test_money_records_cannot_be_deleted(ctx, model):
    open_cash_session(ctx, opening_float=100_000)
    code = receive(ctx, RESIDENCE)
    pay(ctx, code)
    refund_payment(
        ctx, RefundPayment(code=code, reason="Thu thừa", amount=1_000, officer=SUPERVISOR)
    )
    table = model.__tablename__
    with pytest.raises(exc.DatabaseError, match="never deleted"), ctx.db.write() as s:
        s.execute(text(f"DELETE FROM {table}"))
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(model)) == 1
