"""Deadline rules of a dossier: clock start, appointment, warnings, outcome, supplement, new date.

This module owns DOMAIN §4.1–4.3 and §4.5–4.8 on top of a `WorkingCalendar`: when the legal clock
starts (the cut-off rule), the appointment a legal `Duration` gives, the amber/red warning levels,
the early/on-time/overdue outcome, the restart from zero after a supplement, and the checks on a
new appointment after an apology. Choosing the calendar in force at reception (§4.9) is the
caller's job, through `app.domain.calendar.calendar_in_force`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.calendar import WorkingCalendar, to_vn
from app.domain.durations import Duration, DurationUnit
from app.domain.errors import StateError, ValidationError

# §4.2: an online dossier must be accepted or sent back for corrections within this much
# working time (Tiền Giang 2025 Art. 15).
ONLINE_REVIEW_HOURS = 8


def clock_start(cal: WorkingCalendar, received_at: datetime, *, in_person: bool = True) -> datetime:
    """When the legal clock starts for a dossier received at `received_at` (§4.1, §4.2).

    In person: on a working day up to the cut-off inclusive (15:00:00 counts, 15:00:01 does not),
    the clock starts at reception, moved to the next working moment (12:00 → 13:00, 07:00 →
    07:30); later, or on a non-working day, at the opening of the next working day.
    Online (`in_person=False`): the cut-off does not apply; outside working hours the clock starts
    at the next working moment.
    """
    received = to_vn(received_at, field="received_at")
    if not in_person:
        return cal.next_working_moment(received)
    day = received.date()
    if cal.is_working_day(day) and received.time() <= cal.rules.cutoff:
        # The cut-off lies within the day's opening hours, so this never leaves `day`.
        return cal.next_working_moment(received)
    return cal.opening_of(cal.next_working_day(day))


def online_review_due(cal: WorkingCalendar, submitted_at: datetime) -> datetime:
    """Latest moment to accept an online dossier or ask for corrections (§4.2)."""
    submitted = to_vn(submitted_at, field="submitted_at")
    return cal.add_working_time(submitted, timedelta(hours=ONLINE_REVIEW_HOURS))


def appointment(cal: WorkingCalendar, start: datetime, duration: Duration) -> datetime:
    """The appointment for a clock started at `start` (normally `clock_start`'s result) (§4.3)."""
    start = to_vn(start, field="start")
    unit = duration.unit
    if unit is DurationUnit.WORKING_DAYS:
        hours = duration.value * cal.rules.hours_per_working_day
        return cal.add_working_time(start, timedelta(hours=hours))
    if unit is DurationUnit.WORKING_HOURS:
        return cal.add_working_time(start, timedelta(hours=duration.value))
    if unit is DurationUnit.CALENDAR_DAYS:
        return _calendar_days_end(cal, start + timedelta(days=duration.value))
    # SAME_DAY: the day the clock runs in; an unnormalised start outside hours moves forward first.
    return cal.closing_of(cal.next_working_moment(start).date())


def _calendar_days_end(cal: WorkingCalendar, end: datetime) -> datetime:
    day = end.date()
    if not cal.is_working_day(day):
        # §4.3: an end on a non-working day moves to the end of the next working day.
        return cal.closing_of(cal.next_working_day(day))
    if end > cal.closing_of(day):
        # Past closing time: the citizen can still be served that day, until closing.
        return cal.closing_of(day)
    return cal.next_working_moment(end)


@dataclass(frozen=True)
class Deadline:
    """The times printed on the receipt and watched by the warnings, all in Asia/Ho_Chi_Minh."""

    received_at: datetime
    clock_start: datetime
    appointment: datetime
    warning_at: datetime


def compute_deadline(
    cal: WorkingCalendar, received_at: datetime, duration: Duration, *, in_person: bool = True
) -> Deadline:
    received = to_vn(received_at, field="received_at")
    start = clock_start(cal, received, in_person=in_person)
    due = appointment(cal, start, duration)
    warning = warning_time(cal, start, due)
    return Deadline(received_at=received, clock_start=start, appointment=due, warning_at=warning)


def warning_time(cal: WorkingCalendar, start: datetime, due: datetime) -> datetime:
    """§4.7: amber once less than one working day is left; a short duration is amber from the
    start. Also used when a re-appointment moves `due`."""
    one_day = timedelta(hours=cal.rules.hours_per_working_day)
    return max(cal.subtract_working_time(due, one_day), start)


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on-time"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.EARLY: "trước hạn",
    Outcome.ON_TIME: "đúng hạn",
    Outcome.OVERDUE: "quá hạn",
}


def outcome(cal: WorkingCalendar, appointment: datetime, result_at: datetime) -> Outcome:
    """Classify a result (or a confirmed refusal) against the appointment (§4.5).

    Early means confirmed by the closing of the last working day before the appointment's date;
    anything after that, up to the appointment itself inclusive, is on time.
    """
    due = to_vn(appointment, field="appointment")
    result = to_vn(result_at, field="result_at")
    if result <= cal.closing_of(cal.previous_working_day(due.date())):
        return Outcome.EARLY
    if result <= due:
        return Outcome.ON_TIME
    return Outcome.OVERDUE


def is_overdue(appointment: datetime, now: datetime) -> bool:
    """Overdue as soon as the appointment has passed (§4.5): the appointment instant is on time."""
    return to_vn(now, field="now") > to_vn(appointment, field="appointment")


class WarningLevel(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def warning_level(
    deadline_appointment: datetime, warning_at: datetime, now: datetime
) -> WarningLevel:
    """§4.7 display: green before `warning_at`, amber from it, red once the appointment passed."""
    current = to_vn(now, field="now")
    if current > to_vn(deadline_appointment, field="appointment"):
        return WarningLevel.RED
    if current >= to_vn(warning_at, field="warning_at"):
        return WarningLevel.AMBER
    return WarningLevel.GREEN


def ensure_supplement_request_allowed(appointment: datetime, at: datetime) -> None:
    """A supplement request (form 02) may only be issued before the deadline passes (§4.6)."""
    if to_vn(at, field="at") > to_vn(appointment, field="appointment"):
        raise StateError(
            "deadline.supplement_after_due",
            "Hồ sơ đã quá hạn giải quyết nên không thể yêu cầu bổ sung; "
            "vui lòng lập văn bản xin lỗi và hẹn lại ngày trả kết quả.",
            field="at",
        )


def restart_after_supplement(
    cal: WorkingCalendar,
    supplement_received_at: datetime,
    duration: Duration,
    *,
    in_person: bool = True,
) -> Deadline:
    """The new deadline once the supplement is received (§4.6).

    The clock restarts from zero with the full duration — time used before the request is not
    credited — and the cut-off rule applies to the supplement's reception like a new dossier.
    """
    return compute_deadline(cal, supplement_received_at, duration, in_person=in_person)


def validate_reappointment(
    cal: WorkingCalendar,
    current_appointment: datetime,
    new_appointment: datetime,
    *,
    count_so_far: int,
    max_count: int = 1,
) -> None:
    """Check a new appointment given with an apology (form 04, §4.8)."""
    if count_so_far < 0 or max_count < 0:
        raise ValidationError(
            "deadline.reappoint_count_invalid",
            "Số lần hẹn lại không được âm.",
            field="count_so_far",
        )
    if count_so_far >= max_count:
        raise StateError(
            "deadline.reappoint_limit",
            f"Hồ sơ đã được hẹn lại {count_so_far} lần; số lần hẹn lại tối đa là {max_count}, "
            "không thể hẹn lại thêm.",
            field="new_appointment",
            count_so_far=count_so_far,
            max_count=max_count,
        )
    new = to_vn(new_appointment, field="new_appointment")
    if new <= to_vn(current_appointment, field="current_appointment"):
        raise ValidationError(
            "deadline.reappoint_not_later",
            "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
            field="new_appointment",
        )
    if not cal.is_working_moment(new):
        raise ValidationError(
            "deadline.reappoint_not_working_time",
            "Ngày hẹn mới phải rơi vào giờ làm việc của một ngày làm việc.",
            field="new_appointment",
        )
