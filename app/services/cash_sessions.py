"""Cash sessions: an officer's drawer from the counted float at opening to the count at close.

Cash payments and cash refunds attach to the officer's open session (other methods attach too
when a session is open, so the session report shows everything the officer took). At close the
drawer is counted by denomination; the expected amount is recomputed from the committed payment
and refund rows — never from a running total that a crash could leave behind — so the session
reconciles with exactly what was recorded, and a difference must carry a reason. The business
date is the day of opening, kept when the session runs past midnight. Reports: fee_reports.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.fee_models import CashSession, FeePayment, FeeRefund
from app.db.models import Counter, ReceivingPoint
from app.domain.cash import CashCount, business_date, cash_count, expected_cash, reconcile
from app.domain.errors import NotFoundError, StateError, ValidationError
from app.domain.permissions import Permission
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.fee_journal import record_fee_change
from app.services.fee_views import CashSessionView
from app.services.station import active_officer, current_station, current_station_point


def open_session_of(session: Session, officer: str) -> CashSession | None:
    return session.scalars(
        select(CashSession).where(CashSession.officer == officer, CashSession.state == "open")
    ).first()


def cash_flows(session: Session, session_id: str) -> tuple[int, int]:
    """(cash taken, cash refunded) in a session, from the committed rows."""
    cash_in = session.scalar(
        select(func.coalesce(func.sum(FeePayment.amount), 0)).where(
            FeePayment.session_id == session_id,
            FeePayment.method == "cash",
            FeePayment.state == "confirmed",
        )
    )
    cash_out = session.scalar(
        select(func.coalesce(func.sum(FeeRefund.amount), 0)).where(
            FeeRefund.session_id == session_id, FeeRefund.method == "cash"
        )
    )
    return int(cash_in or 0), int(cash_out or 0)


def session_view(session: Session, row: CashSession) -> CashSessionView:
    counter = session.get(Counter, row.counter_id)
    point = session.get(ReceivingPoint, row.receiving_point_id)
    return CashSessionView(
        id=row.id,
        officer=row.officer,
        counter=counter.name if counter else "",
        receiving_point=point.name if point else "",
        business_date=row.business_date,
        state=row.state,
        opened_at=row.opened_at,
        opening_float=row.opening_float,
        opening_counts={str(k): int(v) for k, v in row.opening_counts.items()},
        closed_at=row.closed_at,
        counted_counts={str(k): int(v) for k, v in row.counted_counts.items()},
        counted_total=row.counted_total,
        expected_total=row.expected_total,
        difference=row.difference,
        difference_reason=row.difference_reason,
    )


def _opening(counts: Mapping[int, int] | None, opening_float: int | None) -> CashCount | int:
    if counts:
        count = cash_count(counts)
        if opening_float is not None and opening_float != count.total:
            raise ValidationError(
                "cash.float_mismatch",
                "Tiền đầu ca nhập không khớp với tổng số tờ đã đếm.",
                field="float",
            )
        return count
    if opening_float is None:
        return CashCount()
    if isinstance(opening_float, bool) or not isinstance(opening_float, int) or opening_float < 0:
        raise ValidationError(
            "cash.float", "Tiền đầu ca phải là số nguyên đồng không âm.", field="float"
        )
    return opening_float


def open_cash_session(
    ctx: ServiceContext,
    *,
    counts: Mapping[int, int] | None = None,
    opening_float: int | None = None,
    officer: str | None = None,
) -> CashSessionView:
    """Open the officer's session with the float counted by denomination (or just its total)."""
    opening = _opening(counts, opening_float)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        station = current_station(session)
        user = require(session, station, officer, Permission.COLLECT_FEE, now)
        if open_session_of(session, user.username) is not None:
            raise StateError(
                "cash.session_open",
                "Cán bộ đang có một ca thu tiền chưa đóng; hãy đóng ca đó trước khi mở ca mới.",
            )
        row = CashSession(
            officer=user.username,
            counter_id=station.counter_id,
            receiving_point_id=current_station_point(session).id,
            workstation=ctx.workstation,
            business_date=business_date(now),
            state="open",
            opened_at=now,
            opening_float=opening.total if isinstance(opening, CashCount) else opening,
            opening_counts=opening.as_dict() if isinstance(opening, CashCount) else {},
            counted_counts={},
            difference_reason="",
        )
        session.add(row)
        record_fee_change(
            session,
            ctx,
            row,
            action="cash-session-open",
            actor=user.username,
            at=now,
            data={"opening_float": row.opening_float},
        )
        return session_view(session, row)


def close_cash_session(
    ctx: ServiceContext,
    counts: Mapping[int, int],
    *,
    reason: str = "",
    officer: str | None = None,
    session_id: str | None = None,
) -> CashSessionView:
    """Close with the drawer counted by denomination; a difference needs `reason`.
    `session_id` lets a supervisor close a session an officer left open."""
    counted = cash_count(counts)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.CLOSE_CASH_SESSION, now)
        row = (
            session.get(CashSession, session_id)
            if session_id
            else open_session_of(session, user.username)
        )
        if row is None:
            raise NotFoundError(
                "cash.no_session", "Không có ca thu tiền đang mở để đóng.", field="session"
            )
        if row.state != "open":
            raise StateError("cash.session_closed", "Ca thu tiền này đã đóng.")
        cash_in, cash_out = cash_flows(session, row.id)
        result = reconcile(expected_cash(row.opening_float, cash_in, cash_out), counted, reason)
        row.state = "closed"
        row.closed_at = now
        row.closed_by = user.username
        row.counted_counts = counted.as_dict()
        row.counted_total = result.counted
        row.expected_total = result.expected
        row.difference = result.difference
        row.difference_reason = result.reason
        row.row_version += 1
        record_fee_change(
            session,
            ctx,
            row,
            action="cash-session-close",
            actor=user.username,
            at=now,
            reason=result.reason,
            data={
                "expected": result.expected,
                "counted": result.counted,
                "difference": result.difference,
            },
        )
        return session_view(session, row)


def current_cash_session(ctx: ServiceContext, officer: str | None = None) -> CashSessionView | None:
    with ctx.db.read() as session:
        user = active_officer(session, current_station(session), officer)
        row = open_session_of(session, user.username)
        return session_view(session, row) if row else None
