"""Cash at the counter: counting notes by denomination and reconciling a cash session.

An officer opens a session with a counted float, takes cash payments and gives cash refunds, and
closes it by counting the drawer note by note. This module owns the denominations, the count, the
expected amount (float + cash taken − cash refunded), the difference and the rule that a
difference needs a reason, and the business date (the day the session was opened, kept even when
the session runs past midnight). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.clock import VN_TZ
from app.domain.errors import ValidationError
from app.domain.money import format_vnd
from app.domain.text import clean_text

# Notes in circulation that a counter drawer holds (500 and 200 đồng notes are no longer handled).
DENOMINATIONS = (500_000, 200_000, 100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000)
MAX_NOTES = 100_000


@dataclass(frozen=True)
class CashCount:
    """Notes counted, highest denomination first; denominations with no notes are left out."""

    notes: tuple[tuple[int, int], ...] = ()

    @property
    def total(self) -> int:
        return sum(value * count for value, count in self.notes)

    def as_dict(self) -> dict[str, int]:
        return {str(value): count for value, count in self.notes}


def cash_count(counts: Mapping[int, int] | Mapping[str, int]) -> CashCount:
    """Validate a count by denomination (keys may be ints or their text, as stored in JSON)."""
    notes: dict[int, int] = {}
    for raw_value, count in counts.items():
        try:
            value = int(raw_value)
        except ValueError:
            value = -1
        if value not in DENOMINATIONS:
            allowed = ", ".join(f"{d:,}".replace(",", ".") for d in DENOMINATIONS)
            raise ValidationError(
                "cash.denomination",
                f"Mệnh giá «{raw_value}» không hợp lệ; dùng một trong: {allowed}.",
                field="counts",
            )
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_NOTES:
            raise ValidationError(
                "cash.count",
                f"Số tờ mệnh giá {format_vnd(value)} phải là số nguyên không âm.",
                field="counts",
            )
        notes[value] = notes.get(value, 0) + count
    return CashCount(tuple((v, notes[v]) for v in DENOMINATIONS if notes.get(v)))


def business_date(opened_at: datetime) -> date:
    """A session belongs to the day it was opened (Vietnam time), however late it closes."""
    return opened_at.astimezone(VN_TZ).date()


def expected_cash(opening_float: int, cash_in: int, cash_out: int) -> int:
    return opening_float + cash_in - cash_out


@dataclass(frozen=True)
class Reconciliation:
    expected: int
    counted: int
    reason: str

    @property
    def difference(self) -> int:
        """Positive: more cash in the drawer than recorded (thừa); negative: missing (thiếu)."""
        return self.counted - self.expected

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def reconcile(expected: int, counted: CashCount, reason: str = "") -> Reconciliation:
    """The close of a session; a difference, either way, must be explained."""
    result = Reconciliation(expected, counted.total, clean_text(reason))
    if not result.balanced and not result.reason:
        word = "thừa" if result.difference > 0 else "thiếu"
        raise ValidationError(
            "cash.difference_reason",
            f"Tiền mặt kiểm đếm {word} {format_vnd(abs(result.difference))} so với sổ: "
            "phải ghi rõ lý do chênh lệch.",
            field="reason",
            difference=result.difference,
        )
    return result
