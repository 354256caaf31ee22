"""The working calendar as stored data: rules per unit, dated exceptions, the calendar in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import CalendarExceptionRow, WorkRulesRow
from app.domain.calendar import (
    CalendarException,
    ExceptionKind,
    WorkingCalendar,
    WorkRules,
    calendar_in_force,
    default_exceptions,
)
from app.domain.errors import ValidationError
from app.domain.permissions import Permission
from app.domain.text import clean_text
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.journal import record_change
from app.services.views import CalendarDayView


def _parse_time(text: str) -> time:
    return time.fromisoformat(text)


def _rules(row: WorkRulesRow) -> WorkRules:
    return WorkRules(
        effective_from=row.effective_from,
        working_weekdays=frozenset(int(d) for d in row.weekdays),
        periods=tuple((_parse_time(a), _parse_time(b)) for a, b in row.periods),
        cutoff=_parse_time(row.cutoff),
        hours_per_working_day=row.hours_per_day,
    )


def rules_row(rules: WorkRules, unit_id: str | None = None, note: str = "") -> WorkRulesRow:
    return WorkRulesRow(
        unit_id=unit_id,
        effective_from=rules.effective_from,
        weekdays=sorted(rules.working_weekdays),
        periods=[[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in rules.periods],
        cutoff=rules.cutoff.strftime("%H:%M:%S"),
        hours_per_day=rules.hours_per_working_day,
        note=note,
    )


def _exception(row: CalendarExceptionRow) -> CalendarException:
    return CalendarException(
        day=row.day,
        kind=ExceptionKind(row.kind),
        note=row.note,
        source=row.source,
        effective_from=row.effective_from,
    )


def load_calendar(session: Session, unit_id: str | None, on: date) -> WorkingCalendar:
    """The calendar in force on `on` for a unit (its own rules, else the province-wide ones)."""
    rows = list(session.scalars(select(WorkRulesRow).where(WorkRulesRow.unit_id == unit_id)))
    if not rows:
        rows = list(session.scalars(select(WorkRulesRow).where(WorkRulesRow.unit_id.is_(None))))
    versions = [_rules(r) for r in rows] or [WorkRules()]
    exceptions = [_exception(r) for r in session.scalars(select(CalendarExceptionRow))]
    return calendar_in_force(versions, exceptions, on)


def seed_default_calendar(session: Session, years: range) -> int:
    """Pre-fill the exception table from the `holidays` package (editable data afterwards)."""
    known = set(session.scalars(select(CalendarExceptionRow.day)))
    added = 0
    for item in default_exceptions(years):
        if item.day not in known:
            session.add(
                CalendarExceptionRow(
                    day=item.day,
                    kind=item.kind.value,
                    note=item.note,
                    source=item.source,
                    effective_from=item.effective_from,
                )
            )
            known.add(item.day)
            added += 1
    return added


def list_calendar(ctx: ServiceContext, year: int) -> list[CalendarDayView]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(CalendarExceptionRow)
            .where(
                CalendarExceptionRow.day >= date(year, 1, 1),
                CalendarExceptionRow.day <= date(year, 12, 31),
            )
            .order_by(CalendarExceptionRow.day)
        )
        return [CalendarDayView(r.day, r.kind, r.note, r.source, r.effective_from) for r in rows]


def add_calendar_exception(
    ctx: ServiceContext,
    day: date,
    kind: str,
    note: str,
    *,
    actor: str,
    source: str = "",
    effective_from: date | None = None,
) -> CalendarDayView:
    """Add (or replace) the exception of one date; the old value stays in the audit trail."""
    try:
        parsed_kind = ExceptionKind(kind)
    except ValueError:
        raise ValidationError(
            "calendar.kind",
            "Loại ngày phải là «day-off» (ngày nghỉ) hoặc «make-up» (ngày làm bù).",
            field="kind",
        ) from None
    clean_note = clean_text(note)
    if not clean_note:
        raise ValidationError(
            "calendar.note_required",
            "Cần ghi chú căn cứ của ngày nghỉ/làm bù (ví dụ: số văn bản).",
            field="note",
        )
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, actor, Permission.EDIT_CALENDAR, now)
        row = session.scalars(
            select(CalendarExceptionRow).where(CalendarExceptionRow.day == day)
        ).first()
        before = None if row is None else {"kind": row.kind, "note": row.note}
        if row is None:
            row = CalendarExceptionRow(day=day)
            session.add(row)
        row.kind = parsed_kind.value
        row.note = clean_note
        row.source = clean_text(source) or "nhập tay"
        row.effective_from = effective_from
        session.flush()
        change = {"day": day.isoformat(), "kind": row.kind, "note": row.note, "before": before}
        record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action="calendar-set",
            entity_type="calendar_exception",
            entity_id=row.id,
            data=change,
            outbox_payload=change,
        )
        return CalendarDayView(row.day, row.kind, row.note, row.source, row.effective_from)


@dataclass(frozen=True)
class WorkRulesView:
    effective_from: date
    weekdays: tuple[int, ...]
    periods: tuple[tuple[str, str], ...]
    cutoff: str
    hours_per_day: int
    note: str


def list_work_rules(ctx: ServiceContext) -> list[WorkRulesView]:
    """Office hours and cut-off versions, oldest first (province-wide rows)."""
    with ctx.db.read() as session:
        rows = session.scalars(
            select(WorkRulesRow)
            .where(WorkRulesRow.unit_id.is_(None))
            .order_by(WorkRulesRow.effective_from)
        )
        return [
            WorkRulesView(
                r.effective_from,
                tuple(int(d) for d in r.weekdays),
                tuple((a, b) for a, b in r.periods),
                r.cutoff[:5],
                r.hours_per_day,
                r.note,
            )
            for r in rows
        ]


def set_work_rules(
    ctx: ServiceContext,
    *,
    effective_from: date,
    periods: list[tuple[str, str]],
    cutoff: str,
    weekdays: list[int],
    hours_per_day: int,
    note: str,
    actor: str,
) -> WorkRulesView:
    """Add a new version of the office hours; dossiers already received keep theirs."""
    try:
        rules = WorkRules(
            effective_from=effective_from,
            working_weekdays=frozenset(weekdays),
            periods=tuple((_parse_time(a), _parse_time(b)) for a, b in periods),
            cutoff=_parse_time(cutoff),
            hours_per_working_day=hours_per_day,
        )
    except ValueError:
        raise ValidationError(
            "calendar.time_format", "Giờ phải có dạng HH:MM, ví dụ 07:30.", field="periods"
        ) from None
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, actor, Permission.EDIT_CALENDAR, now)
        exists = session.scalars(
            select(WorkRulesRow).where(
                WorkRulesRow.unit_id.is_(None), WorkRulesRow.effective_from == effective_from
            )
        ).first()
        if exists is not None:
            raise ValidationError(
                "calendar.rules_exist",
                f"Đã có giờ làm việc áp dụng từ ngày {effective_from:%d/%m/%Y}.",
                field="effective_from",
            )
        row = rules_row(rules, note=clean_text(note))
        session.add(row)
        session.flush()
        change = {"effective_from": effective_from.isoformat(), "cutoff": row.cutoff}
        record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action="work-rules-set",
            entity_type="work_rules",
            entity_id=row.id,
            data={**change, "periods": row.periods, "weekdays": row.weekdays},
            outbox_payload={**change, "periods": row.periods, "weekdays": row.weekdays},
        )
    return WorkRulesView(
        effective_from,
        tuple(sorted(weekdays)),
        tuple(periods),
        cutoff[:5],
        hours_per_day,
        clean_text(note),
    )
