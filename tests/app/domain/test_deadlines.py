"""Deadline rules of DOMAIN §4: clock start, appointment, outcome, supplement, warnings, new date.

Every expected time is worked out by hand from the default office hours (07:30–11:30,
13:00–17:00, Monday to Friday, cut-off 15:00, 1 working day = 8 h) and the 2026–2027 days off.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar import (
    VN_TZ,
    CalendarException,
    ExceptionKind,
    WorkingCalendar,
    WorkRules,
    calendar_in_force,
    default_exceptions,
)
from app.domain.deadlines import (
    Deadline,
    Outcome,
    WarningLevel,
    appointment,
    clock_start,
    compute_deadline,
    ensure_supplement_request_allowed,
    is_overdue,
    online_review_due,
    outcome,
    restart_after_supplement,
    validate_reappointment,
    warning_level,
)
from app.domain.durations import Duration, DurationUnit
from app.domain.errors import StateError, ValidationError


def vn(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN_TZ)


CAL = WorkingCalendar(WorkRules(), default_exceptions(range(2025, 2030)))
WD1 = Duration(1, DurationUnit.WORKING_DAYS)
WD3 = Duration(3, DurationUnit.WORKING_DAYS)
SAME_DAY = Duration(0, DurationUnit.SAME_DAY)
SECOND = timedelta(seconds=1)


# --- §4.1 clock start (15:00 rule) -------------------------------------------------------------


def test_reception_at_15h00m00s_starts_the_clock_at_reception() -> None:
    assert clock_start(CAL, vn(2026, 11, 25, 15)) == vn(2026, 11, 25, 15)


def test_reception_at_15h00m01s_starts_the_clock_at_next_working_day_opening() -> None:
    assert clock_start(CAL, vn(2026, 11, 25, 15, 0, 1)) == vn(2026, 11, 26, 7, 30)


def test_reception_after_cutoff_on_the_eve_of_culture_day_starts_two_days_later() -> None:
    # Today is Monday 23/11/2026; Tuesday 24/11 is Ngày Văn hóa Việt Nam.
    assert clock_start(CAL, vn(2026, 11, 23, 15, 0, 1)) == vn(2026, 11, 25, 7, 30)


def test_reception_during_lunch_starts_the_clock_at_13h() -> None:
    assert clock_start(CAL, vn(2026, 11, 25, 12)) == vn(2026, 11, 25, 13)


def test_reception_before_opening_starts_the_clock_at_07h30() -> None:
    assert clock_start(CAL, vn(2026, 11, 25, 7)) == vn(2026, 11, 25, 7, 30)


def test_reception_on_a_day_off_starts_at_the_next_working_day_opening() -> None:
    assert clock_start(CAL, vn(2026, 11, 24, 9)) == vn(2026, 11, 25, 7, 30)
    assert clock_start(CAL, vn(2026, 12, 12, 9)) == vn(2026, 12, 14, 7, 30)  # Saturday
    assert clock_start(CAL, vn(2026, 2, 18, 9)) == vn(2026, 2, 23, 7, 30)  # Tết 2026


def test_reception_on_the_make_up_saturday_counts_like_a_weekday() -> None:
    assert clock_start(CAL, vn(2026, 8, 22, 10)) == vn(2026, 8, 22, 10)
    assert clock_start(CAL, vn(2026, 8, 22, 15, 30)) == vn(2026, 8, 24, 7, 30)
    # Friday after the cut-off → the make-up Saturday.
    assert clock_start(CAL, vn(2026, 8, 21, 16)) == vn(2026, 8, 22, 7, 30)


def test_reception_after_cutoff_before_the_national_day_break_starts_on_3_september() -> None:
    assert clock_start(CAL, vn(2026, 8, 28, 15, 30)) == vn(2026, 9, 3, 7, 30)


def test_the_cutoff_is_configurable_per_unit() -> None:
    late = WorkingCalendar(WorkRules(cutoff=time(16, 30)))
    assert clock_start(late, vn(2026, 11, 25, 16, 30)) == vn(2026, 11, 25, 16, 30)
    assert clock_start(late, vn(2026, 11, 25, 16, 30, 1)) == vn(2026, 11, 26, 7, 30)


def test_a_naive_reception_time_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        clock_start(CAL, datetime(2026, 11, 25, 9))
    assert err.value.code == "calendar.naive_datetime"


def test_a_reception_time_in_utc_is_read_in_vietnam_time() -> None:
    # 08:00:01 UTC is 15:00:01 in Hà Nội: after the cut-off.
    start = clock_start(CAL, datetime(2026, 11, 25, 8, 0, 1, tzinfo=UTC))
    assert start == vn(2026, 11, 26, 7, 30)
    assert start.tzinfo is VN_TZ


# --- §4.2 online dossiers ----------------------------------------------------------------------


def test_online_submission_outside_working_hours_starts_at_the_next_working_hour() -> None:
    assert clock_start(CAL, vn(2026, 12, 12, 10), in_person=False) == vn(2026, 12, 14, 7, 30)
    assert clock_start(CAL, vn(2026, 12, 9, 12, 15), in_person=False) == vn(2026, 12, 9, 13)


def test_online_submission_after_15h_within_working_hours_is_not_pushed_to_the_next_day() -> None:
    assert clock_start(CAL, vn(2026, 12, 9, 16, 30), in_person=False) == vn(2026, 12, 9, 16, 30)


def test_online_dossiers_must_be_reviewed_within_8_working_hours() -> None:
    # Wed 16:30–17:00 (0.5 h) + Thu 07:30–11:30 (4 h) + 13:00–16:30 (3.5 h).
    assert online_review_due(CAL, vn(2026, 12, 9, 16, 30)) == vn(2026, 12, 10, 16, 30)
    # Saturday night: the whole of Monday.
    assert online_review_due(CAL, vn(2026, 12, 12, 22)) == vn(2026, 12, 14, 17)


# --- §4.3 appointment ---------------------------------------------------------------------------


def test_three_working_days_from_monday_9h_is_thursday_9h() -> None:
    assert compute_deadline(CAL, vn(2026, 12, 7, 9), WD3).appointment == vn(2026, 12, 10, 9)


def test_one_working_day_after_15h00m01s_on_23_november_2026_is_wednesday_evening() -> None:
    deadline = compute_deadline(CAL, vn(2026, 11, 23, 15, 0, 1), WD1)
    assert deadline.clock_start == vn(2026, 11, 25, 7, 30)
    # 8 h from 07:30 run out exactly at 17:00, which is kept rather than Thursday 07:30.
    assert deadline.appointment == vn(2026, 11, 25, 17)


def test_one_working_day_at_15h00m00s_on_23_november_2026_skips_culture_day() -> None:
    # Mon 15:00–17:00 (2 h), Tue off, Wed 07:30–11:30 (4 h), 13:00–15:00 (2 h).
    assert compute_deadline(CAL, vn(2026, 11, 23, 15), WD1).appointment == vn(2026, 11, 25, 15)


def test_a_dossier_received_before_tet_2026_is_due_after_it() -> None:
    # Thu 12/2 09:00 → Fri 13/2 09:00 (1) → Mon 23/2 09:00 (2) → Tue 24/2 09:00 (3).
    assert compute_deadline(CAL, vn(2026, 2, 12, 9), WD3).appointment == vn(2026, 2, 24, 9)


def test_a_dossier_received_before_tet_2027_is_due_after_it() -> None:
    # Wed 3/2 10:00 → Thu 11/2 10:00 (1) → Fri 12/2 10:00 (2).
    two_days = Duration(2, DurationUnit.WORKING_DAYS)
    assert compute_deadline(CAL, vn(2027, 2, 3, 10), two_days).appointment == vn(2027, 2, 12, 10)


def test_a_dossier_received_before_the_national_day_break_counts_the_make_up_saturday() -> None:
    # Thu 20/8 09:00 → Fri 21/8 (1) → Sat 22/8 (2) → Mon 24/8 09:00 (3).
    assert compute_deadline(CAL, vn(2026, 8, 20, 9), WD3).appointment == vn(2026, 8, 24, 9)
    # Fri 28/8 09:00 + 1 working day jumps the 29/8–2/9 break.
    assert compute_deadline(CAL, vn(2026, 8, 28, 9), WD1).appointment == vn(2026, 9, 3, 9)


def test_working_hours_skip_the_lunch_break() -> None:
    hours = Duration(3, DurationUnit.WORKING_HOURS)
    # 10:00–11:30 (1.5 h) + 13:00–14:30 (1.5 h).
    assert compute_deadline(CAL, vn(2026, 11, 25, 10), hours).appointment == vn(
        2026, 11, 25, 14, 30
    )


def test_working_hours_on_the_make_up_saturday() -> None:
    hours = Duration(4, DurationUnit.WORKING_HOURS)
    # Sat 22/8 10:00–11:30 (1.5 h) + 13:00–15:30 (2.5 h).
    assert compute_deadline(CAL, vn(2026, 8, 22, 10), hours).appointment == vn(2026, 8, 22, 15, 30)


def test_working_days_use_the_units_hours_per_day() -> None:
    short_days = WorkingCalendar(WorkRules(hours_per_working_day=4))
    # 4 h from Mon 09:00: 09:00–11:30 (2.5 h) + 13:00–14:30.
    assert appointment(short_days, vn(2026, 12, 7, 9), WD1) == vn(2026, 12, 7, 14, 30)


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        # Mon 7/12 09:00 + 3 days = Thu 10/12 09:00, a working moment.
        (vn(2026, 12, 7, 9), 3, vn(2026, 12, 10, 9)),
        # + 5 days = Sat 12/12 → end of Mon 14/12.
        (vn(2026, 12, 7, 9), 5, vn(2026, 12, 14, 17)),
        # Fri 13/2/2026 + 5 days = Wed 18/2, Tết → end of Mon 23/2.
        (vn(2026, 2, 13, 10), 5, vn(2026, 2, 23, 17)),
        # Mon 17/8/2026 + 5 days = the make-up Saturday, a working day.
        (vn(2026, 8, 17, 10), 5, vn(2026, 8, 22, 10)),
        # Sun 22/11/2026 + 2 days: clock starts Mon 07:30, +2 days = Wed 25/11 07:30.
        (vn(2026, 11, 22, 10), 2, vn(2026, 11, 25, 7, 30)),
        # Sat 21/11 received → Mon 23/11 07:30; +1 day = Tue 24/11, Culture Day → end of Wed.
        (vn(2026, 11, 21, 10), 1, vn(2026, 11, 25, 17)),
    ],
)
def test_calendar_days_ending_on_a_day_off_move_to_the_end_of_the_next_working_day(
    received: datetime, days: int, expected: datetime
) -> None:
    duration = Duration(days, DurationUnit.CALENDAR_DAYS)
    assert compute_deadline(CAL, received, duration).appointment == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (vn(2026, 12, 7, 12), vn(2026, 12, 8, 13)),  # lunch → afternoon opening
        (vn(2026, 12, 7, 6), vn(2026, 12, 8, 7, 30)),  # before opening → opening
        (vn(2026, 12, 7, 18), vn(2026, 12, 8, 17)),  # after closing → that day's closing
        (vn(2026, 12, 7, 17), vn(2026, 12, 8, 17)),  # exactly closing stays
    ],
)
def test_calendar_days_ending_outside_hours_on_a_working_day(
    start: datetime, expected: datetime
) -> None:
    one_day = Duration(1, DurationUnit.CALENDAR_DAYS)
    assert appointment(CAL, start, one_day) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (vn(2026, 11, 25, 9), vn(2026, 11, 25, 17)),
        (vn(2026, 11, 25, 15), vn(2026, 11, 25, 17)),
        (vn(2026, 11, 25, 15, 0, 1), vn(2026, 11, 26, 17)),
        (vn(2026, 11, 23, 16), vn(2026, 11, 25, 17)),
        (vn(2026, 8, 22, 8), vn(2026, 8, 22, 17)),
    ],
)
def test_same_day_is_the_closing_of_the_day_the_clock_starts(
    received: datetime, expected: datetime
) -> None:
    assert compute_deadline(CAL, received, SAME_DAY).appointment == expected


def test_same_day_from_an_unnormalised_start_moves_to_the_next_working_day() -> None:
    assert appointment(CAL, vn(2026, 11, 24, 10), SAME_DAY) == vn(2026, 11, 25, 17)
    assert appointment(CAL, vn(2026, 11, 25, 17, 30), SAME_DAY) == vn(2026, 11, 26, 17)


def test_deadline_keeps_the_reception_time_in_vietnam_time() -> None:
    deadline = compute_deadline(CAL, datetime(2026, 12, 7, 2, tzinfo=UTC), WD3)
    assert deadline.received_at == vn(2026, 12, 7, 9)
    assert deadline.received_at.tzinfo is VN_TZ
    assert deadline == Deadline(
        received_at=vn(2026, 12, 7, 9),
        clock_start=vn(2026, 12, 7, 9),
        appointment=vn(2026, 12, 10, 9),
        warning_at=vn(2026, 12, 9, 9),
    )


# --- §4.4 the calendar is data ------------------------------------------------------------------


def test_a_unit_working_saturdays_counts_them() -> None:
    # Fri 11/12 16:00 + 2 h: 1 h on Friday, then 1 h on Saturday rather than on Monday.
    six_days = WorkingCalendar(WorkRules(working_weekdays=frozenset(range(6))))
    two_hours = Duration(2, DurationUnit.WORKING_HOURS)
    assert appointment(six_days, vn(2026, 12, 11, 16), two_hours) == vn(2026, 12, 12, 8, 30)
    assert appointment(CAL, vn(2026, 12, 11, 16), two_hours) == vn(2026, 12, 14, 8, 30)


def test_a_day_off_added_to_the_table_moves_the_appointment() -> None:
    extra = CalendarException(date(2026, 12, 9), ExceptionKind.DAY_OFF, "Nghỉ đột xuất")
    cal = WorkingCalendar(WorkRules(), [*CAL.exceptions, extra])
    assert compute_deadline(cal, vn(2026, 12, 7, 9), WD3).appointment == vn(2026, 12, 11, 9)


# --- §4.5 outcome ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result_at", "expected"),
    [
        (vn(2026, 12, 8, 10), Outcome.EARLY),
        (vn(2026, 12, 9, 17), Outcome.EARLY),  # end of the previous working day
        (vn(2026, 12, 9, 17, 0, 1), Outcome.ON_TIME),
        (vn(2026, 12, 10, 7, 30), Outcome.ON_TIME),
        (vn(2026, 12, 10, 9), Outcome.ON_TIME),  # exactly at the appointment
        (vn(2026, 12, 10, 9, 0, 1), Outcome.OVERDUE),
        (vn(2026, 12, 14, 9), Outcome.OVERDUE),
    ],
)
def test_outcome_boundaries_for_a_thursday_9h_appointment(
    result_at: datetime, expected: Outcome
) -> None:
    assert outcome(CAL, vn(2026, 12, 10, 9), result_at) is expected


def test_early_means_before_the_end_of_the_previous_working_day_not_the_previous_date() -> None:
    # Appointment Wed 25/11/2026 15:00: the previous working day is Mon 23/11 (24/11 is off).
    due = vn(2026, 11, 25, 15)
    assert outcome(CAL, due, vn(2026, 11, 23, 17)) is Outcome.EARLY
    assert outcome(CAL, due, vn(2026, 11, 24, 10)) is Outcome.ON_TIME
    # After Tết 2027 the previous working day is Wed 3/2.
    due_after_tet = vn(2027, 2, 11, 10)
    assert outcome(CAL, due_after_tet, vn(2027, 2, 3, 16)) is Outcome.EARLY
    assert outcome(CAL, due_after_tet, vn(2027, 2, 5, 9)) is Outcome.ON_TIME


def test_outcome_labels_are_vietnamese() -> None:
    assert [o.label for o in Outcome] == ["trước hạn", "đúng hạn", "quá hạn"]


def test_overdue_is_flagged_as_soon_as_the_appointment_passes() -> None:
    due = vn(2026, 12, 10, 9)
    assert not is_overdue(due, due)
    assert is_overdue(due, due + SECOND)
    assert not is_overdue(due, datetime(2026, 12, 10, 2, tzinfo=UTC))  # 09:00 in Hà Nội


# --- §4.6 supplement --------------------------------------------------------------------------


def test_a_supplement_request_is_allowed_up_to_the_appointment() -> None:
    due = vn(2026, 12, 10, 9)
    ensure_supplement_request_allowed(due, vn(2026, 12, 9, 10))
    ensure_supplement_request_allowed(due, due)


def test_a_supplement_request_after_the_appointment_is_refused() -> None:
    with pytest.raises(StateError) as err:
        ensure_supplement_request_allowed(vn(2026, 12, 10, 9), vn(2026, 12, 10, 9, 0, 1))
    assert err.value.code == "deadline.supplement_after_due"
    assert "bổ sung" in err.value.message


def test_the_clock_restarts_from_zero_with_the_full_duration_after_a_supplement() -> None:
    # First due Thu 10/12 09:00; only ~1 day was left when the request went out on Wed 9/12.
    # Supplement received Mon 14/12 14:00: Mon 14:00–17:00 (3 h), Tue (8), Wed (8), Thu 07:30–11:30
    # (4) and 13:00–14:00 (1) = 24 h.
    restarted = restart_after_supplement(CAL, vn(2026, 12, 14, 14), WD3)
    assert restarted.clock_start == vn(2026, 12, 14, 14)
    assert restarted.appointment == vn(2026, 12, 17, 14)


def test_the_15h_rule_applies_to_the_supplement_reception() -> None:
    restarted = restart_after_supplement(CAL, vn(2026, 12, 14, 15, 30), WD3)
    assert restarted.clock_start == vn(2026, 12, 15, 7, 30)
    assert restarted.appointment == vn(2026, 12, 17, 17)
    assert restart_after_supplement(CAL, vn(2026, 11, 23, 15, 0, 1), WD1).appointment == vn(
        2026, 11, 25, 17
    )


# --- §4.7 warnings -------------------------------------------------------------------------------


def test_warning_starts_one_working_day_before_the_appointment() -> None:
    assert compute_deadline(CAL, vn(2026, 12, 7, 9), WD3).warning_at == vn(2026, 12, 9, 9)
    # Due Tue 24/2/2026 09:00: one working day earlier is Mon 23/2 09:00, not during Tết.
    assert compute_deadline(CAL, vn(2026, 2, 12, 9), WD3).warning_at == vn(2026, 2, 23, 9)


def test_a_duration_of_one_working_day_or_less_is_amber_from_the_clock_start() -> None:
    deadline = compute_deadline(CAL, vn(2026, 11, 23, 15, 0, 1), WD1)
    assert deadline.warning_at == deadline.clock_start == vn(2026, 11, 25, 7, 30)
    hours = compute_deadline(CAL, vn(2026, 12, 7, 9), Duration(4, DurationUnit.WORKING_HOURS))
    assert hours.appointment == vn(2026, 12, 7, 14, 30)
    assert hours.warning_at == vn(2026, 12, 7, 9)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2026, 12, 9, 8, 59, 59), WarningLevel.GREEN),
        (vn(2026, 12, 9, 9), WarningLevel.AMBER),
        (vn(2026, 12, 10, 9), WarningLevel.AMBER),
        (vn(2026, 12, 10, 9, 0, 1), WarningLevel.RED),
    ],
)
def test_warning_level_boundaries(now: datetime, expected: WarningLevel) -> None:
    assert warning_level(vn(2026, 12, 10, 9), vn(2026, 12, 9, 9), now) is expected


# --- §4.8 new appointment after an apology --------------------------------------------------------


def test_a_later_working_moment_is_accepted_as_the_new_appointment() -> None:
    validate_reappointment(CAL, vn(2026, 12, 10, 9), vn(2026, 12, 11, 10), count_so_far=0)
    validate_reappointment(
        CAL, vn(2026, 12, 10, 9), vn(2026, 12, 11, 17), count_so_far=1, max_count=2
    )


@pytest.mark.parametrize(
    ("new", "code"),
    [
        (vn(2026, 12, 10, 9), "deadline.reappoint_not_later"),
        (vn(2026, 12, 9, 9), "deadline.reappoint_not_later"),
        (vn(2026, 12, 12, 10), "deadline.reappoint_not_working_time"),  # Saturday
        (vn(2026, 12, 11, 12), "deadline.reappoint_not_working_time"),  # lunch
        (vn(2026, 11, 24, 10), "deadline.reappoint_not_later"),
        (vn(2027, 2, 5, 10), "deadline.reappoint_not_working_time"),  # Tết 2027
    ],
)
def test_an_invalid_new_appointment_is_refused(new: datetime, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_reappointment(CAL, vn(2026, 12, 10, 9), new, count_so_far=0)
    assert err.value.code == code
    assert err.value.field == "new_appointment"


def test_only_one_reappointment_unless_configured() -> None:
    with pytest.raises(StateError) as err:
        validate_reappointment(CAL, vn(2026, 12, 10, 9), vn(2026, 12, 11, 10), count_so_far=1)
    assert err.value.code == "deadline.reappoint_limit"
    with pytest.raises(StateError):
        validate_reappointment(
            CAL, vn(2026, 12, 10, 9), vn(2026, 12, 11, 10), count_so_far=2, max_count=2
        )


# --- §4.9 parameters in force at reception -----------------------------------------------------

RULES = [WorkRules(), WorkRules(effective_from=date(2027, 1, 1), cutoff=time(16, 0))]
TABLE = default_exceptions(range(2026, 2028))


def _start(received: datetime) -> datetime:
    cal = calendar_in_force(RULES, TABLE, received.date())
    return clock_start(cal, received)


def test_the_16h_cutoff_from_2027_does_not_apply_to_receptions_in_2026() -> None:
    # Thu 31/12/2026 15:30 is after the old 15:00 cut-off; Fri 1/1/2027 is a holiday.
    assert _start(vn(2026, 12, 31, 15, 30)) == vn(2027, 1, 4, 7, 30)


def test_the_16h_cutoff_applies_to_receptions_from_1_january_2027() -> None:
    assert _start(vn(2027, 1, 4, 15, 30)) == vn(2027, 1, 4, 15, 30)
    assert _start(vn(2027, 1, 4, 16)) == vn(2027, 1, 4, 16)
    assert _start(vn(2027, 1, 5, 16, 0, 1)) == vn(2027, 1, 6, 7, 30)


def test_an_exception_in_force_only_later_does_not_move_an_earlier_dossier() -> None:
    closure = CalendarException(
        date(2027, 3, 10), ExceptionKind.DAY_OFF, "Nghỉ đột xuất", effective_from=date(2027, 3, 8)
    )
    table = [*TABLE, closure]
    # Received Mon 8/3/2027 09:00 → 2 working days: Tue 9/3 (1), Wed 10/3 (2) or, with the
    # closure in force, Thu 11/3 (2).
    two_days = Duration(2, DurationUnit.WORKING_DAYS)
    before = calendar_in_force(RULES, table, date(2027, 3, 5))
    on = calendar_in_force(RULES, table, date(2027, 3, 8))
    assert compute_deadline(before, vn(2027, 3, 8, 9), two_days).appointment == vn(2027, 3, 10, 9)
    assert compute_deadline(on, vn(2027, 3, 8, 9), two_days).appointment == vn(2027, 3, 11, 9)


# --- properties ------------------------------------------------------------------------------

_MIN = datetime(2025, 6, 1)
_MAX = datetime(2027, 12, 1)

receptions = st.one_of(
    st.datetimes(min_value=_MIN, max_value=_MAX, timezones=st.just(VN_TZ)),
    st.builds(
        lambda d, second: datetime.combine(d, time(), VN_TZ) + timedelta(seconds=second),
        st.dates(min_value=_MIN.date(), max_value=_MAX.date()),
        # Near 07:30, 11:30, 13:00, 15:00 and 17:00 seconds matter; sample the whole day anyway.
        st.integers(min_value=0, max_value=24 * 3600 - 1),
    ),
)
durations = st.one_of(
    st.builds(
        Duration,
        st.integers(min_value=1, max_value=60),
        st.sampled_from(
            [DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS, DurationUnit.CALENDAR_DAYS]
        ),
    ),
    st.just(SAME_DAY),
)


@given(receptions, durations)
def test_the_appointment_is_always_a_working_moment_after_the_clock_start(
    received: datetime, duration: Duration
) -> None:
    deadline = compute_deadline(CAL, received, duration)
    assert CAL.is_working_moment(deadline.appointment)
    assert CAL.is_working_moment(deadline.clock_start)
    assert received <= deadline.clock_start <= deadline.warning_at <= deadline.appointment


@given(receptions, receptions)
def test_clock_start_never_decreases_with_reception_time(a: datetime, b: datetime) -> None:
    early, late = sorted((a, b))
    assert clock_start(CAL, early) <= clock_start(CAL, late)


@given(receptions, receptions, durations)
def test_a_later_reception_never_gets_an_earlier_appointment(
    a: datetime, b: datetime, duration: Duration
) -> None:
    early, late = sorted((a, b))
    assert (
        compute_deadline(CAL, early, duration).appointment
        <= compute_deadline(CAL, late, duration).appointment
    )


@given(receptions, st.integers(min_value=1, max_value=40))
def test_working_days_take_exactly_that_much_working_time(received: datetime, n: int) -> None:
    deadline = compute_deadline(CAL, received, Duration(n, DurationUnit.WORKING_DAYS))
    elapsed = CAL.working_time_between(deadline.clock_start, deadline.appointment)
    assert elapsed == timedelta(hours=8 * n)


@given(receptions, receptions, receptions)
def test_outcome_only_gets_worse_as_the_result_comes_later(
    due_seed: datetime, r1: datetime, r2: datetime
) -> None:
    due = CAL.next_working_moment(due_seed)
    first, second = sorted((r1, r2))
    order = [Outcome.EARLY, Outcome.ON_TIME, Outcome.OVERDUE]
    assert order.index(outcome(CAL, due, first)) <= order.index(outcome(CAL, due, second))
    assert (outcome(CAL, due, second) is Outcome.OVERDUE) == is_overdue(due, second)
