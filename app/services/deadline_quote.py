""" "When would it be ready?": the appointment for a procedure (or a bare duration) and a moment."""

from __future__ import annotations

from datetime import datetime

from app.domain.deadlines import compute_deadline
from app.domain.durations import Duration
from app.domain.errors import ValidationError
from app.services.calendar import load_calendar
from app.services.catalogue import duration_view, resolve_procedure
from app.services.context import ServiceContext
from app.services.station import current_station_point
from app.services.views import DeadlineView


def quote_deadline(
    ctx: ServiceContext,
    received_at: datetime,
    *,
    procedure: str | None = None,
    duration: int | None = None,
    unit: str | None = None,
) -> DeadlineView:
    with ctx.db.read() as session:
        if procedure:
            row = resolve_procedure(session, procedure, received_at.date())
            legal = Duration.parse(row.duration_value, row.duration_unit)
        elif unit is not None and (duration is not None or unit == "same-day"):
            legal = Duration.parse(duration or 0, unit)
        else:
            raise ValidationError(
                "deadline.input",
                "Cần chỉ định thủ tục (--procedure) hoặc thời hạn (--duration và --unit).",
            )
        point = current_station_point(session)
        calendar = load_calendar(session, point.unit_id, received_at.date())
    deadline = compute_deadline(calendar, received_at, legal)
    return DeadlineView(
        received_at=deadline.received_at,
        clock_start=deadline.clock_start,
        appointment=deadline.appointment,
        warning_at=deadline.warning_at,
        duration=duration_view(legal.value, legal.unit.value),
    )
