"""Close the day (chốt ngày): the supervisor's end-of-day step for this counter.

Closing is refused, with the reason in Vietnamese, while
- changes made that day are still waiting for upload to the central system (a counter in central
  mode): the day's figures would not be the central system's figures yet — sync first;
- a cash session of that business day is still open: its money is not counted yet.
The closure itself is an event (`day-close`, entity "day", id = ISO date) with the day's counts,
queued for upload like any change; a closed day cannot be closed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.db.fee_models import CashSession
from app.db.models import Dossier, Event
from app.domain.errors import StateError
from app.domain.formatting import vn_date
from app.domain.permissions import Permission
from app.domain.text import clean_text
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.journal import record_change
from app.services.station import current_station
from app.services.sync_records import day_bounds
from app.services.sync_status import count_pending_for_day

ACTION = "day-close"


@dataclass(frozen=True)
class DayClose:
    day: date
    closed_at: datetime
    closed_by: str
    received: int  # dossiers received that day at this workstation's counter
    note: str


def _closure(session: Session, day: date) -> Event | None:
    return session.scalar(
        select(Event).where(Event.action == ACTION, Event.entity_id == day.isoformat())
    )


def _view(event: Event, day: date) -> DayClose:
    return DayClose(day, event.at, event.actor, int(event.data.get("received", 0)), event.reason)


def day_closure(ctx: ServiceContext, day: date) -> DayClose | None:
    with ctx.db.read() as session:
        event = _closure(session, day)
        return _view(event, day) if event else None


def _count(session: Session, query: Select[int]) -> int:
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class DayReadiness:
    """What the supervisor sees before pressing "Chốt ngày"."""

    day: date
    closure: DayClose | None
    central: bool  # only a counter in central mode waits for its uploads
    pending_sync: int  # the day's changes not yet accepted by the central system
    open_cash_sessions: int

    @property
    def can_close(self) -> bool:
        return self.closure is None and not self.pending_sync and not self.open_cash_sessions


def _open_cash_sessions(session: Session, day: date) -> int:
    return _count(
        session,
        select(func.count())
        .select_from(CashSession)
        .where(CashSession.business_date == day, CashSession.state == "open"),
    )


def _readiness(session: Session, day: date) -> DayReadiness:
    event = _closure(session, day)
    central = current_station(session).mode == "central"
    return DayReadiness(
        day,
        _view(event, day) if event else None,
        central,
        count_pending_for_day(session, day) if central else 0,
        _open_cash_sessions(session, day),
    )


def day_readiness(ctx: ServiceContext, day: date) -> DayReadiness:
    with ctx.db.read() as session:
        return _readiness(session, day)


def close_day(
    ctx: ServiceContext, day: date, *, officer: str | None = None, note: str = ""
) -> DayClose:
    now = ctx.clock.now()
    start, end = day_bounds(day)
    with ctx.db.write() as session:
        station = current_station(session)
        user = require(session, station, officer, Permission.CLOSE_DAY, now)
        shown = vn_date(day)
        ready = _readiness(session, day)
        if ready.closure is not None:
            raise StateError("day.already_closed", f"Ngày {shown} đã được chốt.")
        if ready.pending_sync:
            raise StateError(
                "day.pending_sync",
                f"Chưa chốt được ngày {shown}: còn {ready.pending_sync} thay đổi của ngày này "
                "chưa gửi lên hệ thống trung tâm. Xin đồng bộ (F9) khi có kết nối rồi chốt lại.",
                pending=ready.pending_sync,
            )
        if ready.open_cash_sessions:
            raise StateError(
                "day.cash_open",
                f"Chưa chốt được ngày {shown}: còn {ready.open_cash_sessions} ca thu tiền "
                "chưa đóng.",
            )
        received = _count(
            session,
            select(func.count())
            .select_from(Dossier)
            .where(
                Dossier.counter_id == station.counter_id,
                Dossier.received_at >= start,
                Dossier.received_at < end,
            ),
        )
        event = record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action=ACTION,
            entity_type="day",
            entity_id=day.isoformat(),
            reason=clean_text(note),
            data={"received": received},
            outbox_payload={"day_close": {"day": day.isoformat(), "received": received}},
        )
        return _view(event, day)
