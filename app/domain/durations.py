"""Legal processing durations of a procedure (value + unit), as the catalogue states them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import ValidationError


class DurationUnit(StrEnum):
    WORKING_DAYS = "working-days"
    WORKING_HOURS = "working-hours"
    CALENDAR_DAYS = "calendar-days"
    SAME_DAY = "same-day"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    DurationUnit.WORKING_DAYS: "ngày làm việc",
    DurationUnit.WORKING_HOURS: "giờ làm việc",
    DurationUnit.CALENDAR_DAYS: "ngày",
    DurationUnit.SAME_DAY: "trong ngày",
}


@dataclass(frozen=True)
class Duration:
    """A legal duration. `value` is ignored (kept 0) for SAME_DAY."""

    value: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if self.unit is not DurationUnit.SAME_DAY and self.value <= 0:
            raise ValidationError(
                "duration.invalid",
                "Thời hạn giải quyết phải là số nguyên dương.",
                field="duration",
            )
        if self.value < 0:
            raise ValidationError(
                "duration.invalid", "Thời hạn giải quyết không được âm.", field="duration"
            )

    @classmethod
    def parse(cls, value: int | str, unit: str) -> Duration:
        try:
            parsed_unit = DurationUnit(unit)
        except ValueError:
            allowed = ", ".join(u.value for u in DurationUnit)
            raise ValidationError(
                "duration.unit",
                f"Đơn vị thời hạn «{unit}» không hợp lệ (chọn một trong: {allowed}).",
                field="unit",
            ) from None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                "duration.invalid", "Thời hạn giải quyết phải là số nguyên.", field="duration"
            ) from None
        return cls(0 if parsed_unit is DurationUnit.SAME_DAY else number, parsed_unit)

    def describe(self) -> str:
        """Vietnamese wording as printed on forms: «05 ngày làm việc», «Trong ngày»."""
        if self.unit is DurationUnit.SAME_DAY:
            return "Trong ngày"
        return f"{self.value:02d} {self.unit.label}"
