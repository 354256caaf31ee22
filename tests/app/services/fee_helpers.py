"""Builders for the fee service tests: receive a dossier of a demo procedure, pay, count rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db.models import Event, OutboxEntry
from app.domain.fees import FeeBasis
from app.services import fees
from app.services.context import ServiceContext
from app.services.dossiers import receive_dossier
from app.services.fee_quotes import FeeRequest
from app.services.fee_views import PaymentView
from tests.app.services.helpers import receive_cmd

# Demo catalogue procedures by what their fees exercise.
CERTIFY_COPY = "2.000815"  # phí chứng thực: per page, tiers, cap 200.000/bản
CRIMINAL_RECORD = "3.000333"  # 200.000/hồ sơ + 5.000 per Phiếu from the third
RESIDENCE = "1.004222"  # lệ phí đăng ký thường trú 20.000/hồ sơ
MARRIAGE = "1.000894"  # lệ phí 0: nothing due
SUPERVISOR = "giamsat"  # demo account with the refund permission


def receive(ctx: ServiceContext, procedure: str, **changes: Any) -> str:
    return receive_dossier(ctx, receive_cmd(procedure, **changes)).dossier.code


def pay(
    ctx: ServiceContext,
    code: str,
    method: str = "cash",
    *,
    copies: int = 1,
    pages: int = 1,
    officer: str | None = None,
    **changes: Any,
) -> PaymentView:
    request = FeeRequest(basis=FeeBasis.simple(copies=copies, pages=pages))
    return fees.record_payment(
        ctx,
        fees.RecordPayment(code, method, request=request, officer=officer, **changes),
    )


def journal_counts(ctx: ServiceContext, entity_type: str) -> tuple[int, int]:
    """(events, outbox entries) written for rows of `entity_type` (a fee table name)."""
    with ctx.db.read() as s:
        events = s.scalar(select(func.count()).where(Event.entity_type == entity_type))
        outbox = s.scalar(select(func.count()).where(OutboxEntry.entity_type == entity_type))
    return int(events or 0), int(outbox or 0)
