"""Fee amounts (phí, lệ phí) of a dossier: what is charged, for what, and why (DOMAIN §7).

This module owns the arithmetic the officer shows the applicant before confirming a payment: each
fee item of the procedure version is priced from the dossier's basis (copies requested, pages of
each original), with graduated tiers and the regulation's cap; exemptions and reductions apply per
item and always carry a recorded legal reason; postage for postal return is a separate line that
is not a TTHC fee. Every line is rounded to whole đồng (half up) and the total is the sum of the
rounded lines, so the printed breakdown always adds up. It also decides the fee state of a dossier
(nothing due / due / paid / exempt / refunded) from amounts the services read. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Literal

from app.domain.catalogue import FeeItemSpec, FeeKind, FeeTier, FeeUnit
from app.domain.errors import ValidationError
from app.domain.money import format_vnd
from app.domain.text import clean_text

POSTAGE_CODE = "BUU-CHINH"
POSTAGE_NAME = "Cước dịch vụ bưu chính trả kết quả (không phải phí, lệ phí TTHC)"
# Bounds that keep a mistyped count from producing an absurd quote (a 10⁶-page copy is a typo).
MAX_COUNT = 10_000
MAX_POSTAGE = 10_000_000

_KINDS: dict[str, FeeKind] = {"phí": "phí", "lệ phí": "lệ phí", "khác": "khác"}
_UNITS: dict[str, FeeUnit] = {
    "per-dossier": "per-dossier",
    "per-copy": "per-copy",
    "per-page": "per-page",
}
UNIT_LABELS = {"per-dossier": "hồ sơ", "per-copy": "bản", "per-page": "trang"}


def fee_item(
    *,
    code: str,
    name: str,
    kind: str,
    amount: int,
    unit: str,
    tiers: Iterable[dict[str, Any] | FeeTier] = (),
    cap: int | None = None,
    note: str = "",
    illustrative: bool = False,
) -> FeeItemSpec:
    """A fee item from stored values (the `fee_items` row), checked like the catalogue does."""
    if kind not in _KINDS or unit not in _UNITS:
        raise ValidationError(
            "fee.item_invalid", f"Khoản phí «{code}» có loại hoặc đơn vị tính không hợp lệ."
        )
    parsed = tuple(
        t if isinstance(t, FeeTier) else FeeTier(t.get("up_to"), int(t["amount"])) for t in tiers
    )
    return FeeItemSpec(
        code, name, _KINDS[kind], amount, _UNITS[unit], parsed, cap, note, illustrative
    )


@dataclass(frozen=True)
class CopyJob:
    """One original the applicant brings: how many pages it has and how many copies are wanted."""

    pages: int = 1
    copies: int = 1


@dataclass(frozen=True)
class FeeBasis:
    """What the amounts depend on. `skip`: codes of items that do not apply to this dossier
    (e.g. the late-registration fee of an on-time birth registration)."""

    jobs: tuple[CopyJob, ...] = (CopyJob(),)
    skip: frozenset[str] = frozenset()

    @classmethod
    def simple(cls, copies: int = 1, pages: int = 1, skip: Iterable[str] = ()) -> FeeBasis:
        return cls((CopyJob(pages, copies),), frozenset(skip))

    @property
    def copies(self) -> int:
        return sum(j.copies for j in self.jobs)

    def to_json(self) -> dict[str, Any]:
        return {
            "jobs": [{"pages": j.pages, "copies": j.copies} for j in self.jobs],
            "skip": sorted(self.skip),
        }


AdjustmentKind = Literal["exempt", "reduce"]


@dataclass(frozen=True)
class Adjustment:
    """An exemption (miễn) or reduction (giảm) with its legal reason. `percent` is the share
    taken off (100 for an exemption); `items` are the fee codes it covers, empty = all of them."""

    kind: AdjustmentKind
    reason: str
    legal_basis: str = ""
    percent: Decimal = Decimal(100)
    items: frozenset[str] = frozenset()

    def covers(self, code: str) -> bool:
        return not self.items or code in self.items

    def describe(self) -> str:
        what = "Miễn" if self.kind == "exempt" else f"Giảm {self.percent.normalize():f}%"
        basis = f" ({self.legal_basis})" if self.legal_basis else ""
        return f"{what}: {self.reason}{basis}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "legal_basis": self.legal_basis,
            "percent": str(self.percent),
            "items": sorted(self.items),
        }


def adjustment_from_json(data: dict[str, Any]) -> Adjustment:
    """The adjustment as `Adjustment.to_json` stored it on a payment line."""
    return Adjustment(
        kind="exempt" if data["kind"] == "exempt" else "reduce",
        reason=str(data["reason"]),
        legal_basis=str(data.get("legal_basis", "")),
        percent=Decimal(str(data["percent"])),
        items=frozenset(data.get("items", ())),
    )


def exemption(reason: str, legal_basis: str = "", items: Iterable[str] = ()) -> Adjustment:
    return checked_adjustment(
        Adjustment("exempt", reason, legal_basis, Decimal(100), frozenset(items))
    )


def reduction(
    percent: Decimal | int | str, reason: str, legal_basis: str = "", items: Iterable[str] = ()
) -> Adjustment:
    return checked_adjustment(
        Adjustment("reduce", reason, legal_basis, Decimal(percent), frozenset(items))
    )


def checked_adjustment(adj: Adjustment) -> Adjustment:
    """Reject an adjustment without a reason or with a share outside (0, 100]."""
    reason = clean_text(adj.reason)
    if not reason:
        raise ValidationError(
            "fee.adjustment_reason",
            "Miễn, giảm phí, lệ phí phải ghi rõ lý do (căn cứ pháp lý).",
            field="reason",
        )
    percent = Decimal(100) if adj.kind == "exempt" else adj.percent
    if not (percent.is_finite() and Decimal(0) < percent <= Decimal(100)):
        raise ValidationError(
            "fee.adjustment_percent",
            "Tỷ lệ giảm phải lớn hơn 0 và không quá 100%.",
            field="percent",
        )
    return Adjustment(adj.kind, reason, clean_text(adj.legal_basis), percent, adj.items)


def round_dong(value: Decimal) -> int:
    """Whole đồng, half up (2.500,5 → 2.501): amounts are never fractional on a receipt."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tiered_total(count: int, tiers: Sequence[FeeTier], flat: int) -> int:
    """Price of `count` units: each tier's amount for the units up to its bound, the last tier
    (bound None) for the rest; without tiers, `flat` per unit."""
    if not tiers:
        return count * flat
    total, priced = 0, 0
    for tier in tiers:
        upper = count if tier.up_to is None else min(count, tier.up_to)
        if upper > priced:
            total += (upper - priced) * tier.amount
            priced = upper
        if priced >= count:
            break
    return total


@dataclass(frozen=True)
class FeeLine:
    """One line of the breakdown. `gross` before adjustment, `amount` what is payable;
    `tthc` is False for postage, which is not a fee of the procedure."""

    code: str
    name: str
    kind: str
    unit: str
    quantity: int
    gross: int
    amount: int
    detail: str
    capped: bool = False
    adjustment: Adjustment | None = None
    tthc: bool = True
    illustrative: bool = False

    @property
    def reduction(self) -> int:
        return self.gross - self.amount

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "unit": self.unit,
            "quantity": self.quantity,
            "gross": self.gross,
            "amount": self.amount,
            "detail": self.detail,
            "capped": self.capped,
            "adjustment": self.adjustment.to_json() if self.adjustment else None,
            "tthc": self.tthc,
            "illustrative": self.illustrative,
        }


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]
    basis: FeeBasis = field(default_factory=FeeBasis)

    @property
    def fee_total(self) -> int:
        """Phí and lệ phí payable: what the e-receipt is issued for."""
        return sum(line.amount for line in self.lines if line.tthc)

    @property
    def postage(self) -> int:
        return sum(line.amount for line in self.lines if not line.tthc)

    @property
    def total(self) -> int:
        return self.fee_total + self.postage

    @property
    def gross_fee_total(self) -> int:
        return sum(line.gross for line in self.lines if line.tthc)

    @property
    def exempt(self) -> bool:
        """Fees were due and every đồng of them was waived by an exemption."""
        return self.gross_fee_total > 0 and self.fee_total == 0


def _check_count(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise ValidationError(
            "fee.count", f"Số {what} phải là số nguyên từ 1 đến {MAX_COUNT}.", field=what
        )


def check_basis(basis: FeeBasis) -> None:
    if not basis.jobs:
        raise ValidationError("fee.count", "Chưa nhập số bản, số trang.", field="copies")
    for job in basis.jobs:
        _check_count(job.pages, "trang")
        _check_count(job.copies, "bản")


def _price(item: FeeItemSpec, basis: FeeBasis) -> tuple[int, int, str, bool]:
    """(gross, quantity, how it was computed, capped) of one item."""
    per = format_vnd(item.amount)
    if item.unit == "per-dossier":
        return item.amount, 1, f"{per}/hồ sơ", False
    if item.unit == "per-copy":
        copies = basis.copies
        raw = tiered_total(copies, item.tiers, item.amount)
        gross = raw if item.cap is None else min(raw, item.cap)
        rule = "theo bậc" if item.tiers else f"{per}/bản"
        detail = f"{copies} bản, {rule}"
        if gross < raw:
            detail += f"; tối đa {format_vnd(item.cap or 0)}/hồ sơ"
        return gross, copies, detail, gross < raw
    gross, pages, capped, parts = 0, 0, False, []
    for job in basis.jobs:
        raw = tiered_total(job.pages, item.tiers, item.amount)
        each = raw if item.cap is None else min(raw, item.cap)
        capped = capped or each < raw
        gross += each * job.copies
        pages += job.pages * job.copies
        parts.append(f"{job.copies} bản × {job.pages} trang = {format_vnd(each)}/bản")
    detail = "; ".join(parts)
    if capped:
        detail += f" (tối đa {format_vnd(item.cap or 0)}/bản)"
    return gross, pages, detail, capped


def _adjusted(
    gross: int, code: str, adjustments: Sequence[Adjustment]
) -> tuple[int, Adjustment | None]:
    """Payable amount and the adjustment applied. Adjustments are alternatives (an applicant
    qualifies under one rule), not cumulative discounts: the most favourable one wins."""
    if gross == 0:
        return 0, None
    best_amount, best = gross, None
    for adj in adjustments:
        if adj.covers(code):
            payable = round_dong(Decimal(gross) * (Decimal(100) - adj.percent) / Decimal(100))
            if best is None or payable < best_amount:
                best_amount, best = payable, adj
    return best_amount, best


def quote_fees(
    items: Sequence[FeeItemSpec],
    basis: FeeBasis | None = None,
    adjustments: Sequence[Adjustment] = (),
    postage: int = 0,
) -> FeeQuote:
    """The breakdown for a dossier: one line per applicable fee item, then postage if any."""
    basis = basis or FeeBasis()
    check_basis(basis)
    checked = [checked_adjustment(a) for a in adjustments]
    known = {i.code for i in items}
    unknown = sorted(set().union(*(a.items for a in checked), basis.skip) - known)
    if unknown:
        raise ValidationError(
            "fee.item_unknown",
            f"Khoản phí «{', '.join(unknown)}» không có trong thủ tục này.",
            field="items",
        )
    if isinstance(postage, bool) or not 0 <= postage <= MAX_POSTAGE:
        raise ValidationError("fee.postage", "Cước bưu chính không hợp lệ.", field="postage")
    lines = []
    for item in items:
        if item.code in basis.skip:
            continue
        gross, quantity, detail, capped = _price(item, basis)
        amount, adj = _adjusted(gross, item.code, checked)
        lines.append(
            FeeLine(
                code=item.code,
                name=item.name,
                kind=item.kind,
                unit=item.unit,
                quantity=quantity,
                gross=gross,
                amount=amount,
                detail=detail,
                capped=capped,
                adjustment=adj,
                illustrative=item.illustrative,
            )
        )
    if postage:
        lines.append(
            FeeLine(
                POSTAGE_CODE,
                POSTAGE_NAME,
                "bưu chính",
                "per-dossier",
                1,
                postage,
                postage,
                "trả kết quả qua bưu chính",
                tthc=False,
            )
        )
    return FeeQuote(tuple(lines), basis)


class FeeState(StrEnum):
    NOTHING_DUE = "nothing-due"
    DUE = "due"
    PAID = "paid"
    EXEMPT = "exempt"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    FeeState.NOTHING_DUE: "Không phải nộp phí",
    FeeState.DUE: "Chưa nộp phí",
    FeeState.PAID: "Đã nộp phí",
    FeeState.EXEMPT: "Được miễn phí",
    FeeState.REFUNDED: "Đã hoàn trả phí",
}


def fee_state(*, due: int, paid: int, refunded: int, exempt: bool) -> FeeState:
    """`due`: what the current quote asks; `paid`: confirmed money payments; `refunded`: refunds
    of them; `exempt`: a confirmed exemption was recorded. A transfer still awaiting the
    officer's confirmation is not paid."""
    if paid > 0:
        return FeeState.REFUNDED if refunded >= paid else FeeState.PAID
    if exempt:
        return FeeState.EXEMPT
    return FeeState.DUE if due > 0 else FeeState.NOTHING_DUE
