"""Working calendar: days, moments, working-time arithmetic, the holidays table, rules in force.

Expected values are worked out by hand from the default office hours (07:30–11:30, 13:00–17:00,
Monday to Friday) and the 2026–2027 days off published for civil servants.
"""

from __future__ import annotations

from collections.abc import Callable
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
from app.domain.errors import ValidationError

H = timedelta(hours=1)


def vn(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN_TZ)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# The calendar a counter gets out of the box: default rules + holidays.VN for the years tested.
CAL = WorkingCalendar(WorkRules(), default_exceptions(range(2025, 2030)))
# Weekly pattern only, for rules that have nothing to do with holidays.
PLAIN = WorkingCalendar(WorkRules())


# --- WorkRules ---------------------------------------------------------------------------------


def test_default_rules_are_monday_to_friday_with_a_lunch_break_and_a_15h_cutoff() -> None:
    rules = WorkRules()
    assert rules.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert rules.periods == ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
    assert rules.cutoff == time(15, 0)
    assert rules.hours_per_working_day == 8


@pytest.mark.parametrize(
    "kwargs",
    [
        {"periods": ()},
        {"periods": ((time(11, 30), time(7, 30)),)},
        {"periods": ((time(8, 0), time(8, 0)),)},
        {"periods": ((time(13, 0), time(17, 0)), (time(7, 30), time(11, 30)))},
        {"periods": ((time(7, 30), time(12, 0)), (time(11, 0), time(17, 0)))},
        {"cutoff": time(17, 30)},
        {"cutoff": time(7, 0)},
        {"working_weekdays": frozenset()},
        {"working_weekdays": frozenset({0, 7})},
        {"hours_per_working_day": 0},
        {"periods": ((time(7, 30, tzinfo=UTC), time(11, 30)),)},
    ],
    ids=[
        "no-period",
        "reversed-period",
        "empty-period",
        "unordered",
        "overlapping",
        "cutoff-after-closing",
        "cutoff-before-opening",
        "no-weekday",
        "weekday-out-of-range",
        "zero-hours",
        "aware-time",
    ],
)
def test_inconsistent_work_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as err:
        WorkRules(**kwargs)  # type: ignore[arg-type]
    assert err.value.code == "calendar.invalid_rules"


def test_touching_periods_and_a_cutoff_at_closing_time_are_accepted() -> None:
    rules = WorkRules(
        periods=((time(8, 0), time(12, 0)), (time(12, 0), time(16, 0))), cutoff=time(16)
    )
    cal = WorkingCalendar(rules)
    assert cal.working_time_between(vn(2026, 12, 7, 8), vn(2026, 12, 7, 16)) == 8 * H


# --- working days ------------------------------------------------------------------------------


def test_weekdays_work_and_weekends_rest_without_exceptions() -> None:
    week = days(date(2026, 12, 7), date(2026, 12, 13))  # Monday to Sunday
    assert [PLAIN.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_a_make_up_saturday_is_a_working_day_and_a_weekday_day_off_is_not() -> None:
    cal = WorkingCalendar(
        WorkRules(),
        [
            CalendarException(date(2026, 12, 12), ExceptionKind.MAKE_UP, "Làm bù"),
            CalendarException(date(2026, 12, 9), ExceptionKind.DAY_OFF, "Nghỉ"),
        ],
    )
    assert cal.is_working_day(date(2026, 12, 12))  # Saturday
    assert not cal.is_working_day(date(2026, 12, 9))  # Wednesday
    assert cal.is_working_day(date(2026, 12, 10))
    assert not cal.is_working_day(date(2026, 12, 13))


def test_a_day_declared_both_off_and_make_up_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        WorkingCalendar(
            WorkRules(),
            [
                CalendarException(date(2026, 12, 12), ExceptionKind.MAKE_UP, "Làm bù"),
                CalendarException(date(2026, 12, 12), ExceptionKind.DAY_OFF, "Nghỉ"),
            ],
        )
    assert err.value.code == "calendar.conflicting_exceptions"


def test_tet_2026_keeps_civil_servants_off_from_14_to_22_february() -> None:
    assert not any(CAL.is_working_day(d) for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)


def test_tet_2027_runs_from_thursday_4_to_wednesday_10_february() -> None:
    assert not any(CAL.is_working_day(d) for d in days(date(2027, 2, 4), date(2027, 2, 10)))
    assert CAL.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert CAL.previous_working_day(date(2027, 2, 11)) == date(2027, 2, 3)


def test_vietnam_culture_day_24_november_is_off_from_2026() -> None:
    assert not CAL.is_working_day(date(2026, 11, 24))  # Tuesday
    assert not CAL.is_working_day(date(2027, 11, 24))  # Wednesday
    assert CAL.is_working_day(date(2025, 11, 24))  # Monday, before the new holiday
    assert CAL.next_working_day(date(2026, 11, 23)) == date(2026, 11, 25)


def test_national_day_2026_swaps_saturday_22_august_for_monday_31_august() -> None:
    assert CAL.is_working_day(date(2026, 8, 22))  # make-up Saturday
    assert not CAL.is_working_day(date(2026, 8, 29))  # ordinary Saturday
    assert not any(CAL.is_working_day(d) for d in days(date(2026, 8, 29), date(2026, 9, 2)))
    assert CAL.next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)
    assert CAL.previous_working_day(date(2026, 8, 24)) == date(2026, 8, 22)
    assert CAL.next_working_day(date(2026, 8, 28)) == date(2026, 9, 3)
    assert CAL.previous_working_day(date(2026, 9, 3)) == date(2026, 8, 28)


def test_next_and_previous_working_day_are_strict() -> None:
    assert PLAIN.next_working_day(date(2026, 12, 7)) == date(2026, 12, 8)
    assert PLAIN.previous_working_day(date(2026, 12, 8)) == date(2026, 12, 7)
    assert PLAIN.next_working_day(date(2026, 12, 11)) == date(2026, 12, 14)


def test_a_calendar_without_any_working_day_fails_instead_of_looping() -> None:
    closed = [
        CalendarException(d, ExceptionKind.DAY_OFF, "Đóng cửa")
        for d in days(date(2027, 1, 1), date(2028, 6, 30))
    ]
    cal = WorkingCalendar(WorkRules(), closed)
    with pytest.raises(ValidationError) as err:
        cal.next_working_day(date(2027, 1, 1))
    assert err.value.code == "calendar.no_working_day"
    with pytest.raises(ValidationError):
        cal.previous_working_day(date(2028, 6, 1))


# --- periods and moments ----------------------------------------------------------------------


def test_periods_of_a_working_day_are_aware_and_a_day_off_has_none() -> None:
    assert CAL.periods_on(date(2026, 11, 25)) == [
        (vn(2026, 11, 25, 7, 30), vn(2026, 11, 25, 11, 30)),
        (vn(2026, 11, 25, 13), vn(2026, 11, 25, 17)),
    ]
    assert CAL.periods_on(date(2026, 11, 24)) == []
    assert CAL.opening_of(date(2026, 8, 22)) == vn(2026, 8, 22, 7, 30)
    assert CAL.closing_of(date(2026, 8, 22)) == vn(2026, 8, 22, 17)


def test_opening_and_closing_of_a_day_off_are_refused() -> None:
    for method in (CAL.opening_of, CAL.closing_of):
        with pytest.raises(ValidationError) as err:
            method(date(2026, 11, 24))
        assert err.value.code == "calendar.not_working_day"


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (time(7, 29, 59), False),
        (time(7, 30), True),
        (time(11, 30), True),
        (time(11, 30, 1), False),
        (time(12, 0), False),
        (time(12, 59, 59), False),
        (time(13, 0), True),
        (time(17, 0), True),
        (time(17, 0, 1), False),
    ],
)
def test_periods_are_closed_intervals(clock: time, expected: bool) -> None:
    assert CAL.is_working_moment(datetime.combine(date(2026, 11, 25), clock, VN_TZ)) is expected


def test_a_day_off_has_no_working_moment() -> None:
    assert not CAL.is_working_moment(vn(2026, 11, 24, 9))
    assert CAL.is_working_moment(vn(2026, 8, 22, 9))  # make-up Saturday


def test_next_working_moment_moves_forward_only_when_outside_working_hours() -> None:
    assert CAL.next_working_moment(vn(2026, 11, 25, 9, 15)) == vn(2026, 11, 25, 9, 15)
    assert CAL.next_working_moment(vn(2026, 11, 25, 17)) == vn(2026, 11, 25, 17)
    assert CAL.next_working_moment(vn(2026, 11, 25, 12)) == vn(2026, 11, 25, 13)
    assert CAL.next_working_moment(vn(2026, 11, 25, 6)) == vn(2026, 11, 25, 7, 30)
    assert CAL.next_working_moment(vn(2026, 11, 23, 17, 0, 1)) == vn(2026, 11, 25, 7, 30)
    assert CAL.next_working_moment(vn(2026, 8, 21, 18)) == vn(2026, 8, 22, 7, 30)


def test_previous_working_moment_moves_backward_to_the_last_closing() -> None:
    assert CAL.previous_working_moment(vn(2026, 11, 25, 12)) == vn(2026, 11, 25, 11, 30)
    assert CAL.previous_working_moment(vn(2026, 11, 25, 7)) == vn(2026, 11, 23, 17)
    assert CAL.previous_working_moment(vn(2026, 11, 25, 7, 30)) == vn(2026, 11, 25, 7, 30)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 25, 9)
    calls: list[Callable[[], object]] = [
        lambda: CAL.is_working_moment(naive),
        lambda: CAL.next_working_moment(naive),
        lambda: CAL.add_working_time(naive, H),
        lambda: CAL.subtract_working_time(naive, H),
        lambda: CAL.working_time_between(naive, vn(2026, 11, 26)),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.code == "calendar.naive_datetime"


def test_other_time_zones_are_read_as_the_same_instant_and_answered_in_vietnam_time() -> None:
    noon_at_the_counter = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 12:00 +07
    assert not CAL.is_working_moment(noon_at_the_counter)
    answer = CAL.next_working_moment(noon_at_the_counter)
    assert answer == vn(2026, 11, 25, 13)
    assert answer.tzinfo is VN_TZ
    assert CAL.add_working_time(datetime(2026, 11, 25, 1, 0, tzinfo=UTC), H).tzinfo is VN_TZ


# --- adding, subtracting and measuring working time -------------------------------------------


@pytest.mark.parametrize(
    ("start", "delta", "expected"),
    [
        (vn(2026, 11, 25, 8), 2 * H, vn(2026, 11, 25, 10)),
        # lunch is skipped: 1.5 h before it, 1.5 h after
        (vn(2026, 11, 25, 10), 3 * H, vn(2026, 11, 25, 14, 30)),
        # running out at a period's end stays at that end
        (vn(2026, 11, 25, 13), 4 * H, vn(2026, 11, 25, 17)),
        (vn(2026, 11, 25, 7, 30), 4 * H, vn(2026, 11, 25, 11, 30)),
        # weekend: 1 h on Friday, 1 h on Monday
        (vn(2026, 12, 11, 16), 2 * H, vn(2026, 12, 14, 8, 30)),
        # Tết 2026: Friday 13/2 → Monday 23/2
        (vn(2026, 2, 13, 16), 2 * H, vn(2026, 2, 23, 8, 30)),
        # Tết 2027: Wednesday 3/2 → Thursday 11/2
        (vn(2027, 2, 3, 16), 2 * H, vn(2027, 2, 11, 8, 30)),
        # make-up Saturday 22/8/2026 is worked
        (vn(2026, 8, 21, 16), 2 * H, vn(2026, 8, 22, 8, 30)),
        # a start outside working hours counts from the next opening
        (vn(2026, 12, 12, 10), H, vn(2026, 12, 14, 8, 30)),
        (vn(2026, 11, 25, 12), timedelta(0), vn(2026, 11, 25, 13)),
        (vn(2026, 11, 25, 9), timedelta(0), vn(2026, 11, 25, 9)),
        (vn(2026, 11, 25, 9), timedelta(seconds=1), vn(2026, 11, 25, 9, 0, 1)),
    ],
)
def test_add_working_time(start: datetime, delta: timedelta, expected: datetime) -> None:
    assert CAL.add_working_time(start, delta) == expected


def test_sixty_working_days_cross_new_year_and_tet_2027() -> None:
    # Working days after Mon 7/12/2026: 18 in December, 1/1/2027 off, 20 in January, 3 before Tết
    # (1–3/2), 4–10/2 off, 12 more to 26/2 (53), 1–5/3 (58), Mon 8/3 (59), Tue 9/3 (60).
    assert CAL.add_working_time(vn(2026, 12, 7, 9), 60 * 8 * H) == vn(2027, 3, 9, 9)


@pytest.mark.parametrize(
    ("end", "delta", "expected"),
    [
        (vn(2026, 12, 10, 9), 8 * H, vn(2026, 12, 9, 9)),
        # running out at a period's start stays at that start
        (vn(2026, 11, 25, 17), 4 * H, vn(2026, 11, 25, 13)),
        (vn(2026, 11, 25, 11, 30), 4 * H, vn(2026, 11, 25, 7, 30)),
        (vn(2026, 11, 25, 12), H, vn(2026, 11, 25, 10, 30)),
        (vn(2026, 12, 14, 8, 30), 2 * H, vn(2026, 12, 11, 16)),
        (vn(2026, 2, 23, 8, 30), 2 * H, vn(2026, 2, 13, 16)),
        # 24/11/2026 is skipped backwards too
        (vn(2026, 11, 25, 8, 30), 2 * H, vn(2026, 11, 23, 16)),
    ],
)
def test_subtract_working_time(end: datetime, delta: timedelta, expected: datetime) -> None:
    assert CAL.subtract_working_time(end, delta) == expected


def test_negative_working_time_is_refused() -> None:
    for call in (CAL.add_working_time, CAL.subtract_working_time):
        with pytest.raises(ValidationError) as err:
            call(vn(2026, 11, 25, 9), -H)
        assert err.value.code == "calendar.negative_duration"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (vn(2026, 11, 25, 8), vn(2026, 11, 25, 10), 2 * H),
        (vn(2026, 11, 25, 10), vn(2026, 11, 25, 14, 30), 3 * H),
        (vn(2026, 11, 25, 11, 30), vn(2026, 11, 25, 13), timedelta(0)),
        (vn(2026, 11, 25), vn(2026, 11, 26), 8 * H),
        (vn(2026, 12, 7), vn(2026, 12, 14), 40 * H),
        (vn(2026, 12, 12), vn(2026, 12, 13, 23), timedelta(0)),
        # Tết 2026: only Friday 13/2 and Monday 23/2 count
        (vn(2026, 2, 13, 7, 30), vn(2026, 2, 23, 17), 16 * H),
        # week of 24/11/2026: four working days
        (vn(2026, 11, 23), vn(2026, 11, 30), 32 * H),
        # week of 22/8/2026: six working days
        (vn(2026, 8, 17), vn(2026, 8, 24), 48 * H),
    ],
)
def test_working_time_between(a: datetime, b: datetime, expected: timedelta) -> None:
    assert CAL.working_time_between(a, b) == expected
    assert CAL.working_time_between(b, a) == -expected


# --- the holidays.VN table ---------------------------------------------------------------------


def _table(years: list[int]) -> dict[date, CalendarException]:
    return {exc.day: exc for exc in default_exceptions(years)}


def test_default_table_2026_has_tet_culture_day_and_the_national_day_swap() -> None:
    table = _table([2026])
    off = {d for d, exc in table.items() if exc.kind is ExceptionKind.DAY_OFF}
    assert set(days(date(2026, 2, 16), date(2026, 2, 20))) <= off
    assert {date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2), date(2026, 11, 24)} <= off
    assert table[date(2026, 8, 22)].kind is ExceptionKind.MAKE_UP
    assert all(exc.source == "holidays.VN" for exc in table.values())
    assert all(d.year == 2026 for d in table)


def test_default_table_notes_are_in_vietnamese() -> None:
    table = _table([2026])
    assert table[date(2026, 11, 24)].note == "Ngày Văn hóa Việt Nam"
    assert "Tết" in table[date(2026, 2, 17)].note
    assert "Quốc khánh" in table[date(2026, 9, 2)].note
    assert "22/08/2026" in table[date(2026, 8, 31)].note  # the substituted day names its swap
    assert "bù" in table[date(2026, 8, 22)].note


def test_default_table_2027_has_seven_days_of_tet() -> None:
    table = _table([2027])
    tet = [d for d in days(date(2027, 2, 1), date(2027, 2, 14)) if d in table]
    assert tet == days(date(2027, 2, 4), date(2027, 2, 10))
    assert all(table[d].kind is ExceptionKind.DAY_OFF for d in tet)
    assert table[date(2027, 11, 24)].kind is ExceptionKind.DAY_OFF


def test_default_table_only_contains_the_years_asked_for_and_is_sorted() -> None:
    table = default_exceptions([2026])
    assert [exc.day for exc in table] == sorted(exc.day for exc in table)
    assert not any(exc.day.year != 2026 for exc in table)
    assert default_exceptions([]) == []
    assert date(2025, 4, 26) in _table([2025])  # the 2025 make-up Saturday shows up when asked
    assert date(2025, 11, 24) not in _table([2025])  # Culture Day starts in 2026


# --- rules and exceptions in force (§4.9) ------------------------------------------------------

RULES_2000 = WorkRules()
RULES_2027 = WorkRules(effective_from=date(2027, 1, 1), cutoff=time(16, 0))


def test_the_latest_rules_version_in_force_on_the_date_is_chosen() -> None:
    versions = [RULES_2027, RULES_2000]  # order of the list must not matter
    assert calendar_in_force(versions, [], date(2026, 12, 31)).rules is RULES_2000
    assert calendar_in_force(versions, [], date(2027, 1, 1)).rules is RULES_2027
    assert calendar_in_force(versions, [], vn(2027, 1, 1, 0, 0, 1)).rules is RULES_2027


def test_a_date_before_every_rules_version_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        calendar_in_force([RULES_2027], [], date(2026, 12, 31))
    assert err.value.code == "calendar.no_rules_in_force"


def test_two_rules_versions_with_the_same_effective_date_are_refused() -> None:
    twin = WorkRules(effective_from=date(2027, 1, 1), cutoff=time(14, 0))
    with pytest.raises(ValidationError) as err:
        calendar_in_force([RULES_2027, twin], [], date(2027, 6, 1))
    assert err.value.code == "calendar.duplicate_rules_version"


def test_an_exception_only_applies_to_receptions_from_its_effective_date() -> None:
    unplanned = CalendarException(
        date(2027, 3, 15), ExceptionKind.DAY_OFF, "Nghỉ đột xuất", effective_from=date(2027, 3, 1)
    )
    before = calendar_in_force([RULES_2000], [unplanned], date(2027, 2, 26))
    after = calendar_in_force([RULES_2000], [unplanned], date(2027, 3, 1))
    assert before.is_working_day(date(2027, 3, 15))  # a Monday
    assert before.exceptions == ()
    assert not after.is_working_day(date(2027, 3, 15))
    assert after.exceptions == (unplanned,)


def test_a_later_exception_for_the_same_day_supersedes_an_earlier_one() -> None:
    make_up = CalendarException(
        date(2027, 3, 13), ExceptionKind.MAKE_UP, "Làm bù", effective_from=date(2027, 1, 10)
    )
    cancelled = CalendarException(
        date(2027, 3, 13), ExceptionKind.DAY_OFF, "Hủy làm bù", effective_from=date(2027, 2, 1)
    )
    table = [cancelled, make_up]
    assert not calendar_in_force([RULES_2000], table, date(2027, 1, 5)).is_working_day(
        date(2027, 3, 13)
    )
    assert calendar_in_force([RULES_2000], table, date(2027, 1, 20)).is_working_day(
        date(2027, 3, 13)
    )
    assert not calendar_in_force([RULES_2000], table, date(2027, 2, 5)).is_working_day(
        date(2027, 3, 13)
    )


def test_exceptions_without_effective_date_are_always_in_force() -> None:
    cal = calendar_in_force([RULES_2000], default_exceptions([2026]), date(2000, 1, 1))
    assert not cal.is_working_day(date(2026, 11, 24))


# --- properties --------------------------------------------------------------------------------

_MIN = datetime(2025, 6, 1)
_MAX = datetime(2028, 6, 1)

# Minute-aligned moments hit period boundaries (07:30, 11:30, 13:00, 17:00) often; arbitrary
# microsecond moments catch off-by-one-tick errors.
moments = st.one_of(
    st.datetimes(min_value=_MIN, max_value=_MAX, timezones=st.just(VN_TZ)),
    st.builds(
        lambda d, minute: datetime.combine(d, time(), VN_TZ) + timedelta(minutes=minute),
        st.dates(min_value=_MIN.date(), max_value=_MAX.date()),
        st.integers(min_value=0, max_value=24 * 60 - 1),
    ),
)
working_moments = moments.map(CAL.next_working_moment)
deltas = st.one_of(
    st.integers(min_value=0, max_value=8 * 60 * 70).map(lambda m: timedelta(minutes=m)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=8 * 70)),
)
positive_deltas = deltas.filter(lambda d: d > timedelta(0))


def _is_period_end(dt: datetime) -> bool:
    return any(dt == end for _, end in CAL.periods_on(dt.date()))


def _is_period_start(dt: datetime) -> bool:
    return any(dt == start for start, _ in CAL.periods_on(dt.date()))


@given(moments)
def test_next_working_moment_is_the_earliest_working_moment_not_before(dt: datetime) -> None:
    nxt = CAL.next_working_moment(dt)
    assert nxt >= dt
    assert CAL.is_working_moment(nxt)
    assert CAL.working_time_between(dt, nxt) == timedelta(0)
    assert CAL.is_working_moment(dt) == (nxt == dt)


@given(moments, deltas)
def test_adding_working_time_lands_on_a_working_moment_that_far_ahead(
    a: datetime, d: timedelta
) -> None:
    b = CAL.add_working_time(a, d)
    assert b >= a
    assert CAL.is_working_moment(b)
    assert CAL.working_time_between(a, b) == d


@given(working_moments, positive_deltas)
def test_subtracting_after_adding_returns_to_the_start(a: datetime, d: timedelta) -> None:
    back = CAL.subtract_working_time(CAL.add_working_time(a, d), d)
    # A period's end and the next period's start are the same instant of working time; going
    # backwards stops at the start, as documented.
    expected = CAL.next_working_moment(a + timedelta(microseconds=1)) if _is_period_end(a) else a
    assert back == expected


@given(working_moments, positive_deltas)
def test_adding_after_subtracting_returns_to_the_end(b: datetime, d: timedelta) -> None:
    forth = CAL.add_working_time(CAL.subtract_working_time(b, d), d)
    expected = (
        CAL.previous_working_moment(b - timedelta(microseconds=1)) if _is_period_start(b) else b
    )
    assert forth == expected


@given(moments, deltas)
def test_subtracting_working_time_lands_on_a_working_moment_that_far_back(
    b: datetime, d: timedelta
) -> None:
    a = CAL.subtract_working_time(b, d)
    assert a <= b
    assert CAL.is_working_moment(a)
    assert CAL.working_time_between(a, b) == d


@given(st.lists(moments, min_size=3, max_size=3).map(sorted))
def test_working_time_between_is_additive(points: list[datetime]) -> None:
    a, b, c = points
    total = CAL.working_time_between(a, c)
    assert CAL.working_time_between(a, b) + CAL.working_time_between(b, c) == total
    assert total <= c - a


@given(moments, deltas, deltas)
def test_adding_more_working_time_never_ends_earlier(
    a: datetime, d1: timedelta, d2: timedelta
) -> None:
    small, large = sorted((d1, d2))
    assert CAL.add_working_time(a, small) <= CAL.add_working_time(a, large)
