"""Fee reports: one cash session (printed at its close) and the supervisor's day for a unit.

Both are read from the committed payment, refund and receipt rows, so they agree with each other
and with what a crash left behind. A session's figures are: payments by method and by procedure,
refunds, receipts used (and which of them were cancelled), cash expected (float + cash taken −
cash refunded) against cash counted, and the difference with its reason. The daily report sums
every session of the receiving point whose business date is that day — a session that ran past
midnight stays in the day it was opened — plus payments taken outside any session (card, portal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db.fee_models import CashSession, FeePayment, FeeReceipt, FeeRefund
from app.db.models import Dossier, ReceivingPoint
from app.domain.cash import expected_cash
from app.domain.errors import NotFoundError
from app.services.cash_sessions import cash_flows, open_session_of, session_view
from app.services.context import ServiceContext
from app.services.fee_receipts import receipt_view
from app.services.fee_refunds import refund_view
from app.services.fee_views import (
    METHOD_LABELS,
    CashSessionReport,
    DailyFeeReport,
    MethodTotal,
    ProcedureTotal,
)
from app.services.station import active_officer, current_station, current_station_point


def _by_method(payments: Sequence[FeePayment]) -> tuple[MethodTotal, ...]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in payments:
        totals[p.method][0] += 1
        totals[p.method][1] += p.amount
    order = list(METHOD_LABELS)
    return tuple(
        MethodTotal(m, METHOD_LABELS[m], n, amount)
        for m, (n, amount) in sorted(totals.items(), key=lambda kv: order.index(kv[0]))
    )


def _by_procedure(session: Session, payments: Sequence[FeePayment]) -> tuple[ProcedureTotal, ...]:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in payments:
        dossier = session.get(Dossier, p.dossier_id)
        assert dossier is not None  # foreign key
        key = (dossier.procedure_code, dossier.procedure_name)
        totals[key][0] += 1
        totals[key][1] += p.amount
    return tuple(ProcedureTotal(c, n, k, a) for (c, n), (k, a) in sorted(totals.items()))


def _money(payments: Iterable[FeePayment]) -> int:
    return sum(p.amount for p in payments if p.method != "exempt")


def session_report(session: Session, row: CashSession) -> CashSessionReport:
    payments = list(
        session.scalars(
            select(FeePayment)
            .where(FeePayment.session_id == row.id)
            .order_by(FeePayment.created_at)
        )
    )
    confirmed = [p for p in payments if p.state == "confirmed"]
    awaiting = [p for p in payments if p.state == "awaiting"]
    refunds = list(
        session.scalars(
            select(FeeRefund).where(FeeRefund.session_id == row.id).order_by(FeeRefund.seq)
        )
    )
    receipts = list(
        session.scalars(
            select(FeeReceipt)
            .where(FeeReceipt.session_id == row.id)
            .order_by(FeeReceipt.year, FeeReceipt.number)
        )
    )
    cash_in, cash_out = cash_flows(session, row.id)
    return CashSessionReport(
        session=session_view(session, row),
        by_method=_by_method(confirmed),
        by_procedure=_by_procedure(session, confirmed),
        refunds=tuple(refund_view(session, r) for r in refunds),
        receipts_issued=tuple(receipt_view(r) for r in receipts),
        receipts_cancelled=tuple(receipt_view(r) for r in receipts if r.state == "cancelled"),
        collected=_money(confirmed),
        refunded=sum(r.amount for r in refunds),
        cash_in=cash_in,
        cash_out=cash_out,
        expected_cash=expected_cash(row.opening_float, cash_in, cash_out),
        awaiting_count=len(awaiting),
        awaiting_amount=sum(p.amount for p in awaiting),
        exempt_count=sum(1 for p in confirmed if p.method == "exempt"),
    )


def cash_session_report(
    ctx: ServiceContext, session_id: str | None = None, *, officer: str | None = None
) -> CashSessionReport:
    """One session's report; by default the officer's open session, else their latest one."""
    with ctx.db.read() as session:
        if session_id:
            row = session.get(CashSession, session_id)
        else:
            user = active_officer(session, current_station(session), officer)
            row = (
                open_session_of(session, user.username)
                or session.scalars(
                    select(CashSession)
                    .where(CashSession.officer == user.username)
                    .order_by(CashSession.opened_at.desc())
                ).first()
            )
        if row is None:
            raise NotFoundError("cash.no_session", "Không tìm thấy ca thu tiền.", field="session")
        return session_report(session, row)


def daily_fee_report(
    ctx: ServiceContext, business_date: date, receiving_point_id: str | None = None
) -> DailyFeeReport:
    """The supervisor's day: every session of the receiving point, and what was taken outside."""
    with ctx.db.read() as session:
        point = (
            session.get(ReceivingPoint, receiving_point_id)
            if receiving_point_id
            else current_station_point(session)
        )
        if point is None:
            raise NotFoundError("unit.not_found", "Không tìm thấy đơn vị tiếp nhận.")
        sessions = list(
            session.scalars(
                select(CashSession)
                .where(
                    CashSession.receiving_point_id == point.id,
                    CashSession.business_date == business_date,
                )
                .order_by(CashSession.opened_at)
            )
        )
        ids = [s.id for s in sessions]
        in_day = or_(
            FeePayment.session_id.in_(ids),
            FeePayment.session_id.is_(None) & (Dossier.receiving_point_id == point.id),
        )
        payments = list(
            session.scalars(
                select(FeePayment)
                .join(Dossier, Dossier.id == FeePayment.dossier_id)
                .where(
                    FeePayment.business_date == business_date,
                    FeePayment.state == "confirmed",
                    in_day,
                )
                .order_by(FeePayment.created_at)
            )
        )
        refunds = list(
            session.scalars(
                select(FeeRefund)
                .join(Dossier, Dossier.id == FeeRefund.dossier_id)
                .where(
                    FeeRefund.business_date == business_date,
                    or_(
                        FeeRefund.session_id.in_(ids),
                        FeeRefund.session_id.is_(None) & (Dossier.receiving_point_id == point.id),
                    ),
                )
                .order_by(FeeRefund.seq)
            )
        )
        receipts = list(
            session.scalars(
                select(FeeReceipt)
                .join(Dossier, Dossier.id == FeeReceipt.dossier_id)
                .where(
                    FeeReceipt.business_date == business_date,
                    or_(
                        FeeReceipt.session_id.in_(ids),
                        FeeReceipt.session_id.is_(None) & (Dossier.receiving_point_id == point.id),
                    ),
                )
            )
        )
        reports = tuple(session_report(session, s) for s in sessions)
        closed = [s for s in sessions if s.state == "closed"]
        collected = _money(payments)
        refunded = sum(r.amount for r in refunds)
        return DailyFeeReport(
            business_date=business_date,
            receiving_point=point.name,
            sessions=reports,
            by_method=_by_method(payments),
            by_procedure=_by_procedure(session, payments),
            refunds=tuple(refund_view(session, r) for r in refunds),
            collected=collected,
            refunded=refunded,
            net=collected - refunded,
            cash_expected=sum(r.expected_cash for r in reports),
            cash_counted=sum(s.counted_total or 0 for s in closed),
            difference=sum(s.difference or 0 for s in closed),
            open_sessions=len(sessions) - len(closed),
            receipts_issued=len(receipts),
            receipts_cancelled=sum(1 for r in receipts if r.state == "cancelled"),
        )
