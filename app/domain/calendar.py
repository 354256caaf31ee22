"""The working calendar: which days and moments count as working time, and arithmetic on it.

This module owns the weekly pattern and office hours of a unit (`WorkRules`), the table of dated
exceptions (days off and make-up working days, `CalendarException`), the calendar built from them
(`WorkingCalendar`: working days, working moments, adding/subtracting/measuring working time), the
default exception table generated from `holidays.VN`, and the choice of the rules and exceptions in
force on a given date (DOMAIN §4.4, §4.9). Deadline rules built on top of it live in
`app.domain.deadlines`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import holidays

from app.domain.clock import VN_TZ as VN_TZ  # re-exported for callers of the calendar
from app.domain.errors import ValidationError

# Searching for the next/previous working day is bounded so that a mis-configured calendar (every
# day off) fails loudly instead of looping forever. A year plus a margin covers any real table.
_SEARCH_LIMIT_DAYS = 400

_HOLIDAYS_SOURCE = "holidays.VN"


class ExceptionKind(StrEnum):
    DAY_OFF = "day-off"
    MAKE_UP = "make-up"


@dataclass(frozen=True)
class CalendarException:
    """One dated deviation from the weekly pattern.

    `effective_from` is the first reception date for which the exception is in force (None: always);
    it lets the central system publish a late change without rewriting how earlier dossiers were
    evaluated.
    """

    day: date
    kind: ExceptionKind
    note: str
    source: str = ""
    effective_from: date | None = None


def _invalid_rules(detail: str) -> ValidationError:
    return ValidationError(
        "calendar.invalid_rules",
        f"Quy định giờ làm việc không hợp lệ: {detail}. Vui lòng kiểm tra lại cấu hình.",
        field="work_rules",
    )


@dataclass(frozen=True)
class WorkRules:
    """Weekly pattern and office hours of a unit, valid from `effective_from`.

    Period times are wall-clock times in Asia/Ho_Chi_Minh. `hours_per_working_day` is the legal
    length of one "working day" of a duration; it is deliberately not derived from the periods, as
    the regulations state it separately (default 8 h).
    """

    effective_from: date = date(2000, 1, 1)
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    periods: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(17, 0)),
    )
    cutoff: time = time(15, 0)
    hours_per_working_day: int = 8

    def __post_init__(self) -> None:
        if not self.working_weekdays:
            raise _invalid_rules("phải có ít nhất một ngày làm việc trong tuần")
        if any(not 0 <= day <= 6 for day in self.working_weekdays):
            raise _invalid_rules("thứ trong tuần phải từ 0 (thứ Hai) đến 6 (Chủ nhật)")
        if not self.periods:
            raise _invalid_rules("phải có ít nhất một khung giờ làm việc")
        times = [t for period in self.periods for t in period] + [self.cutoff]
        if any(t.tzinfo is not None for t in times):
            raise _invalid_rules("giờ làm việc là giờ địa phương, không kèm múi giờ")
        previous_end: time | None = None
        for start, end in self.periods:
            if start >= end:
                raise _invalid_rules("giờ bắt đầu của mỗi khung phải trước giờ kết thúc")
            # Touching periods are allowed (no break); overlapping or unordered ones are not.
            if previous_end is not None and start < previous_end:
                raise _invalid_rules("các khung giờ phải theo thứ tự và không chồng lấn")
            previous_end = end
        if not self.periods[0][0] <= self.cutoff <= self.periods[-1][1]:
            raise _invalid_rules("giờ chốt nhận hồ sơ phải nằm trong giờ làm việc của ngày")
        if self.hours_per_working_day <= 0:
            raise _invalid_rules("số giờ của một ngày làm việc phải lớn hơn 0")


def to_vn(moment: datetime, *, field: str = "moment") -> datetime:
    """`moment` in Asia/Ho_Chi_Minh; a naive datetime is refused because its zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            "calendar.naive_datetime",
            "Thời điểm phải kèm múi giờ (Asia/Ho_Chi_Minh); vui lòng kiểm tra lại dữ liệu.",
            field=field,
        )
    return moment.astimezone(VN_TZ)


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


class WorkingCalendar:
    """Working days and working time for one set of rules and exceptions.

    Periods are closed intervals: 11:30 and 17:00 are working moments, so a deadline may fall
    exactly on a closing time. All arithmetic walks period by period, never minute by minute.
    Vietnam has had no DST since 1975, so wall-clock arithmetic in VN_TZ is exact.
    """

    def __init__(self, rules: WorkRules, exceptions: Iterable[CalendarException] = ()) -> None:
        self._rules = rules
        self._exceptions = tuple(exceptions)
        self._kinds: dict[date, ExceptionKind] = {}
        for exc in self._exceptions:
            known = self._kinds.get(exc.day)
            if known is not None and known is not exc.kind:
                raise ValidationError(
                    "calendar.conflicting_exceptions",
                    f"Ngày {_fmt(exc.day)} vừa được khai báo là ngày nghỉ vừa là ngày làm bù; "
                    "vui lòng kiểm tra lại lịch làm việc.",
                    field="exceptions",
                    day=exc.day.isoformat(),
                )
            self._kinds[exc.day] = exc.kind

    @property
    def rules(self) -> WorkRules:
        return self._rules

    @property
    def exceptions(self) -> tuple[CalendarException, ...]:
        return self._exceptions

    # --- days -------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        kind = self._kinds.get(d)
        if kind is not None:
            # The dated table is the Government's decision for that day and beats the pattern.
            return kind is ExceptionKind.MAKE_UP
        return d.weekday() in self._rules.working_weekdays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        return self._search_day(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before `d`."""
        return self._search_day(d, -1)

    def _search_day(self, d: date, step: int) -> date:
        candidate = d
        for _ in range(_SEARCH_LIMIT_DAYS):
            candidate += timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise ValidationError(
            "calendar.no_working_day",
            f"Không tìm thấy ngày làm việc nào trong vòng {_SEARCH_LIMIT_DAYS} ngày kể từ "
            f"{_fmt(d)}; vui lòng kiểm tra lại lịch làm việc.",
            field="calendar",
            day=d.isoformat(),
        )

    def periods_on(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(d):
            return []
        return [
            (datetime.combine(d, start, VN_TZ), datetime.combine(d, end, VN_TZ))
            for start, end in self._rules.periods
        ]

    def _require_working_day(self, d: date) -> list[tuple[datetime, datetime]]:
        periods = self.periods_on(d)
        if not periods:
            raise ValidationError(
                "calendar.not_working_day",
                f"Ngày {_fmt(d)} không phải là ngày làm việc.",
                field="day",
                day=d.isoformat(),
            )
        return periods

    def opening_of(self, d: date) -> datetime:
        return self._require_working_day(d)[0][0]

    def closing_of(self, d: date) -> datetime:
        return self._require_working_day(d)[-1][1]

    # --- moments ------------------------------------------------------------------------------

    def is_working_moment(self, dt: datetime) -> bool:
        dt = to_vn(dt)
        return any(start <= dt <= end for start, end in self.periods_on(dt.date()))

    def next_working_moment(self, dt: datetime) -> datetime:
        """`dt` itself if it is a working moment, else the next opening of a period."""
        return next(self._periods_forward(to_vn(dt)))[0]

    def previous_working_moment(self, dt: datetime) -> datetime:
        """`dt` itself if it is a working moment, else the last closing of a period before it."""
        return next(self._periods_backward(to_vn(dt)))[1]

    def _periods_forward(self, dt: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods from `dt` on, the first one clipped to start at `dt`."""
        day = dt.date()
        for start, end in self.periods_on(day):
            if end >= dt:
                yield max(start, dt), end
        while True:
            day = self.next_working_day(day)
            yield from self.periods_on(day)

    def _periods_backward(self, dt: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods up to `dt`, latest first, the first one clipped to end at `dt`."""
        day = dt.date()
        for start, end in reversed(self.periods_on(day)):
            if start <= dt:
                yield start, min(end, dt)
        while True:
            day = self.previous_working_day(day)
            yield from reversed(self.periods_on(day))

    # --- working-time arithmetic ----------------------------------------------------------------

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """The first moment at which `delta` of working time has elapsed since `start`.

        Running out exactly at the end of a period returns that end (17:00), not the next opening:
        the officer's deadline is the close of business, not tomorrow morning. A zero `delta`
        returns `next_working_moment(start)`, so the result is always a working moment.
        """
        _require_non_negative(delta)
        remaining = delta
        for period_start, period_end in self._periods_forward(to_vn(start, field="start")):
            available = period_end - period_start
            if remaining <= available:
                return period_start + remaining
            remaining -= available
        raise AssertionError("unreachable: the period iterator is infinite")

    def subtract_working_time(self, end: datetime, delta: timedelta) -> datetime:
        """Mirror of `add_working_time`: the last moment with `delta` of working time until `end`.

        Running out exactly at the start of a period returns that start (e.g. 07:30), not the
        previous closing.
        """
        _require_non_negative(delta)
        remaining = delta
        for period_start, period_end in self._periods_backward(to_vn(end, field="end")):
            available = period_end - period_start
            if remaining <= available:
                return period_end - remaining
            remaining -= available
        raise AssertionError("unreachable: the period iterator is infinite")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b]; negative when b is before a (so it is antisymmetric)."""
        a, b = to_vn(a, field="a"), to_vn(b, field="b")
        if b < a:
            return -self.working_time_between(b, a)
        total = timedelta(0)
        for period_start, period_end in self._periods_forward(a):
            if period_start >= b:
                return total
            total += min(period_end, b) - period_start
        raise AssertionError("unreachable: the period iterator is infinite")


def _require_non_negative(delta: timedelta) -> None:
    if delta < timedelta(0):
        raise ValidationError(
            "calendar.negative_duration",
            "Khoảng thời gian làm việc không được âm.",
            field="delta",
        )


def default_exceptions(years: Iterable[int]) -> list[CalendarException]:
    """The exception table `holidays.VN` gives for `years`, with Vietnamese notes.

    Holidays (including observed and substituted days) become DAY_OFF; the package's weekend
    workdays become MAKE_UP. Holidays falling on a weekend are kept: harmless, and the table then
    mirrors the package one to one. The central system's calendar stays authoritative (§4.4).
    """
    wanted = sorted(set(years))
    if not wanted:
        return []
    vn = holidays.country_holidays("VN", years=wanted, language="vi")
    table = [
        CalendarException(day, ExceptionKind.DAY_OFF, name, _HOLIDAYS_SOURCE)
        for day, name in vn.items()
    ]
    # weekend_workdays is filled for every year the package knows, whatever `years` asked for.
    table += [
        CalendarException(day, ExceptionKind.MAKE_UP, "Ngày làm việc bù", _HOLIDAYS_SOURCE)
        for day in vn.weekend_workdays
        if day.year in wanted
    ]
    return sorted(table, key=lambda exc: (exc.day, exc.kind))


def calendar_in_force(
    rules_versions: Sequence[WorkRules], exceptions: Iterable[CalendarException], on: date
) -> WorkingCalendar:
    """The calendar a dossier received on `on` is evaluated with (DOMAIN §4.9).

    Rules: the version with the latest `effective_from` ≤ `on`. Exceptions: those in force on
    `on`; when several in force concern the same day, the one with the latest `effective_from`
    wins, because it is the later decision (None counts as the earliest).
    """
    if isinstance(on, datetime):
        on = to_vn(on, field="on").date()
    dates = [r.effective_from for r in rules_versions]
    if len(set(dates)) != len(dates):
        raise ValidationError(
            "calendar.duplicate_rules_version",
            "Có hai quy định giờ làm việc cùng ngày hiệu lực; vui lòng kiểm tra lại cấu hình.",
            field="work_rules",
        )
    candidates = [r for r in rules_versions if r.effective_from <= on]
    if not candidates:
        raise ValidationError(
            "calendar.no_rules_in_force",
            f"Chưa có quy định giờ làm việc nào có hiệu lực vào ngày {_fmt(on)}.",
            field="work_rules",
            on=on.isoformat(),
        )
    rules = max(candidates, key=lambda r: r.effective_from)

    in_force = [e for e in exceptions if e.effective_from is None or e.effective_from <= on]
    newest: dict[date, date] = {}
    for exc in in_force:
        newest[exc.day] = max(newest.get(exc.day, date.min), exc.effective_from or date.min)
    kept = [e for e in in_force if (e.effective_from or date.min) == newest[e.day]]
    return WorkingCalendar(rules, kept)
