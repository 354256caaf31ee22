"""A dossier's fees as the counter sees them: the quote, the fee state, the payments made.

The quote is computed by `domain.fees` from the procedure version the dossier was received under
and shown before the officer confirms a payment. The fee state (nothing due / due / paid / exempt
/ refunded) is derived each time from the payment and refund rows, never stored separately, so it
cannot drift from the money actually recorded; a transfer awaiting confirmation is not yet paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.fee_models import FeePayment, FeeRefund
from app.db.models import Dossier, Procedure, ReceivingPoint
from app.domain.catalogue import FeeItemSpec
from app.domain.errors import ValidationError
from app.domain.fees import (
    Adjustment,
    FeeBasis,
    FeeLine,
    FeeQuote,
    FeeState,
    adjustment_from_json,
    fee_item,
    fee_state,
    quote_fees,
)
from app.domain.money import amount_in_words, format_vnd
from app.services.context import ServiceContext
from app.services.fee_policy import policy_in_force
from app.services.fee_receipts import live_receipt, receipt_view
from app.services.fee_refunds import refund_view
from app.services.fee_views import (
    METHOD_LABELS,
    PAYMENT_STATE_LABELS,
    DossierFeeQuote,
    FeeLineView,
    FeeStatusView,
    PaymentView,
)
from app.services.queries import find_by_code


@dataclass(frozen=True)
class FeeRequest:
    """What the officer entered for the quote: copies/pages, items not applicable, reductions
    with their legal reason, postage for postal return."""

    basis: FeeBasis = field(default_factory=FeeBasis)
    adjustments: tuple[Adjustment, ...] = ()
    postage: int = 0


def procedure_fee_items(procedure: Procedure) -> list[FeeItemSpec]:
    return [
        fee_item(
            code=f.code,
            name=f.name,
            kind=f.kind,
            amount=f.amount,
            unit=f.unit,
            tiers=f.tiers,
            cap=f.cap,
            note=f.note,
            illustrative=f.illustrative,
        )
        for f in procedure.fees
    ]


def dossier_quote(
    session: Session, dossier: Dossier, request: FeeRequest, extra: Iterable[Adjustment] = ()
) -> FeeQuote:
    if request.postage and dossier.delivery != "post":
        raise ValidationError(
            "fee.postage_without_post",
            "Chỉ thu cước bưu chính khi hồ sơ trả kết quả qua bưu chính.",
            field="postage",
        )
    procedure = session.get(Procedure, dossier.procedure_id)
    assert procedure is not None  # foreign key
    adjustments = (*request.adjustments, *extra)
    return quote_fees(procedure_fee_items(procedure), request.basis, adjustments, request.postage)


def line_view(line: FeeLine) -> FeeLineView:
    return FeeLineView(
        code=line.code,
        name=line.name,
        kind=line.kind,
        unit=line.unit,
        quantity=line.quantity,
        gross=line.gross,
        amount=line.amount,
        detail=line.detail,
        capped=line.capped,
        adjustment=line.adjustment.describe() if line.adjustment else "",
        tthc=line.tthc,
        illustrative=line.illustrative,
    )


def _stored_line(data: dict[str, Any]) -> FeeLineView:
    adjustment = data.get("adjustment")
    return FeeLineView(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        unit=data["unit"],
        quantity=int(data["quantity"]),
        gross=int(data["gross"]),
        amount=int(data["amount"]),
        detail=data["detail"],
        capped=bool(data["capped"]),
        adjustment=adjustment_from_json(adjustment).describe() if adjustment else "",
        tthc=bool(data["tthc"]),
        illustrative=bool(data["illustrative"]),
    )


@dataclass(frozen=True)
class Tally:
    paid: int
    refunded: int
    awaiting: int
    exempt: bool


def tally(session: Session, dossier_id: str) -> Tally:
    rows = session.execute(
        select(FeePayment.method, FeePayment.state, func.sum(FeePayment.amount), func.count())
        .where(FeePayment.dossier_id == dossier_id)
        .group_by(FeePayment.method, FeePayment.state)
    ).all()
    refunded = session.scalar(
        select(func.coalesce(func.sum(FeeRefund.amount), 0)).where(
            FeeRefund.dossier_id == dossier_id
        )
    )
    return Tally(
        paid=sum(int(a) for m, s, a, _ in rows if s == "confirmed" and m != "exempt"),
        refunded=int(refunded or 0),
        awaiting=sum(int(a) for _, s, a, _ in rows if s == "awaiting"),
        exempt=any(m == "exempt" and s == "confirmed" for m, s, _, _ in rows),
    )


def dossier_fee_state(session: Session, dossier: Dossier) -> tuple[FeeState, Tally, int]:
    counts = tally(session, dossier.id)
    due = 0
    if counts.paid == 0 and not counts.exempt:
        due = dossier_quote(session, dossier, FeeRequest()).total
    state = fee_state(due=due, paid=counts.paid, refunded=counts.refunded, exempt=counts.exempt)
    return state, counts, due


def cash_allowed(session: Session, dossier: Dossier) -> bool:
    point = session.get(ReceivingPoint, dossier.receiving_point_id)
    assert point is not None
    policy = policy_in_force(session, point.unit_id, dossier.received_at.date())
    return bool(policy and policy.cash_allowed)


def quote_dossier_fees(
    ctx: ServiceContext, code: str, request: FeeRequest | None = None
) -> DossierFeeQuote:
    """The breakdown shown to the applicant before the officer records the payment."""
    with ctx.db.read() as session:
        dossier = find_by_code(session, code)
        quote = dossier_quote(session, dossier, request or FeeRequest())
        state, _, _ = dossier_fee_state(session, dossier)
        return DossierFeeQuote(
            dossier_code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name,
            lines=tuple(line_view(x) for x in quote.lines),
            fee_total=quote.fee_total,
            postage=quote.postage,
            total=quote.total,
            total_text=format_vnd(quote.total),
            total_words=amount_in_words(quote.total),
            exempt=quote.exempt,
            fee_state=state.value,
            fee_state_label=state.label,
            cash_allowed=cash_allowed(session, dossier),
        )


def payment_view(session: Session, row: FeePayment) -> PaymentView:
    dossier = session.get(Dossier, row.dossier_id)
    refunded = session.scalar(
        select(func.coalesce(func.sum(FeeRefund.amount), 0)).where(FeeRefund.payment_id == row.id)
    )
    receipt = live_receipt(session, row.id)
    return PaymentView(
        id=row.id,
        dossier_code=dossier.code if dossier else "",
        method=row.method,
        method_label=METHOD_LABELS[row.method],
        state=row.state,
        state_label=PAYMENT_STATE_LABELS[row.state],
        amount=row.amount,
        fee_amount=row.fee_amount,
        postage=row.postage,
        lines=tuple(_stored_line(x) for x in row.lines),
        reference=row.reference,
        reason=row.reason,
        memo=row.memo,
        qr_payload=row.qr_payload,
        officer=row.officer,
        session_id=row.session_id,
        business_date=row.business_date,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        receipt=receipt_view(receipt) if receipt else None,
        refunded=int(refunded or 0),
    )


def fee_status(ctx: ServiceContext, code: str) -> FeeStatusView:
    with ctx.db.read() as session:
        dossier = find_by_code(session, code)
        state, counts, due = dossier_fee_state(session, dossier)
        payments = session.scalars(
            select(FeePayment)
            .where(FeePayment.dossier_id == dossier.id)
            .order_by(FeePayment.created_at)
        )
        refunds = session.scalars(
            select(FeeRefund).where(FeeRefund.dossier_id == dossier.id).order_by(FeeRefund.seq)
        )
        return FeeStatusView(
            dossier_code=dossier.code,
            state=state.value,
            state_label=state.label,
            due=due,
            paid=counts.paid,
            refunded=counts.refunded,
            awaiting=counts.awaiting,
            payments=tuple(payment_view(session, p) for p in payments),
            refunds=tuple(refund_view(session, r) for r in refunds),
        )


def fee_states(ctx: ServiceContext, codes: Iterable[str]) -> dict[str, str]:
    """Fee state of several dossiers (for the logbook and lists): code → state value."""
    with ctx.db.read() as session:
        rows = session.scalars(select(Dossier).where(Dossier.code.in_(list(codes))))
        return {d.code: dossier_fee_state(session, d)[0].value for d in rows}
