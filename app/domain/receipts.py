"""Fee receipts (biên lai thu phí, lệ phí): numbering rules and the e-receipt provider interface.

From 1/1/2027 receipts are electronic and issued through the agency's e-receipt provider
(DOMAIN §7, NĐ 254/2026): each carries a template symbol (ký hiệu mẫu), a series (ký hiệu), a
number of at most 8 digits that restarts at 1 every 1 January, and a look-up code (mã tra cứu).
This module owns those rules, the `ReceiptProvider` protocol (issue, look up, cancel) the services
call, and `LocalReceiptProvider`, which numbers receipts itself for development and standalone
use and marks every receipt it issues as such, so a printout can never pass for a provider's
e-receipt. A real provider is another class with the same three methods. Pure: the local provider
reads the numbers already used through a `ReceiptBook` port the caller implements.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from app.domain.clock import VN_TZ
from app.domain.errors import CapacityError, ValidationError
from app.domain.text import clean_text

MAX_RECEIPT_NUMBER = 99_999_999  # 8 digits
NUMBER_WIDTH = 8
LOCAL_PROVIDER = "local"
LOCAL_NOTICE = (
    "BIÊN LAI DO MÁY TRẠM TỰ ĐÁNH SỐ (chế độ độc lập / thử nghiệm) — "
    "không phải biên lai điện tử của nhà cung cấp dịch vụ"
)
_LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def receipt_year(issued_at: datetime) -> int:
    """The numbering year: the calendar year of the issue moment in Vietnam time."""
    if issued_at.tzinfo is None:
        raise ValueError("naive datetime given to receipt numbering")
    return issued_at.astimezone(VN_TZ).year


def next_receipt_number(last_in_year: int) -> int:
    """The number after the last one used this year (0 when none yet: numbering starts at 1)."""
    if last_in_year >= MAX_RECEIPT_NUMBER:
        raise CapacityError(
            "receipt.numbers_exhausted",
            "Đã dùng hết số biên lai của năm (tối đa 8 chữ số) cho ký hiệu này.",
        )
    return last_in_year + 1


def format_receipt_number(number: int) -> str:
    if not 1 <= number <= MAX_RECEIPT_NUMBER:
        raise ValueError(f"receipt number out of range: {number}")
    return f"{number:0{NUMBER_WIDTH}d}"


def series_for_year(pattern: str, year: int) -> str:
    """A series pattern may carry the year: `C{yy}TLO` → `C26TLO` in 2026."""
    return pattern.replace("{yy}", f"{year % 100:02d}").replace("{yyyy}", str(year))


@dataclass(frozen=True)
class ReceiptLine:
    code: str
    name: str
    amount: int


@dataclass(frozen=True)
class ReceiptRequest:
    """What a receipt is issued for. `key` is our payment id: providers use it to make a retried
    request return the receipt already issued instead of a second one."""

    key: str
    issued_at: datetime
    payer_name: str
    payer_address: str
    dossier_code: str
    procedure_name: str
    lines: tuple[ReceiptLine, ...]

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class IssuedReceipt:
    provider: str
    key: str
    template_symbol: str
    series: str
    year: int
    number: int
    lookup_code: str
    issued_at: datetime
    amount: int
    standalone: bool  # numbered by this workstation, not by a real e-receipt provider
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @property
    def number_text(self) -> str:
        return format_receipt_number(self.number)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class ReceiptProvider(Protocol):
    name: str

    def issue(self, request: ReceiptRequest) -> IssuedReceipt: ...

    def look_up(self, lookup_code: str) -> IssuedReceipt | None: ...

    def cancel(self, receipt: IssuedReceipt, reason: str, at: datetime) -> IssuedReceipt: ...


class ReceiptBook(Protocol):
    """The receipts this workstation has stored: where the local provider finds used numbers."""

    def last_number(self, template_symbol: str, series: str, year: int) -> int: ...

    def find(self, lookup_code: str) -> IssuedReceipt | None: ...

    def find_key(self, key: str) -> IssuedReceipt | None: ...


def _lookup_code() -> str:
    return "LOCAL-" + "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(10))


def check_cancel_reason(reason: str) -> str:
    text = clean_text(reason)
    if not text:
        raise ValidationError(
            "receipt.cancel_reason", "Hủy biên lai phải ghi rõ lý do.", field="reason"
        )
    return text


class LocalReceiptProvider:
    """Numbers receipts on this workstation: next number after the last stored one for the
    template, series and year. The caller stores each receipt in the same transaction that read
    the last number, so numbers never repeat and have no gaps."""

    name = LOCAL_PROVIDER

    def __init__(
        self,
        book: ReceiptBook,
        template_symbol: str,
        series_pattern: str,
        make_lookup_code: Callable[[], str] = _lookup_code,
    ) -> None:
        self._book = book
        self._template = template_symbol
        self._series = series_pattern
        self._make_code = make_lookup_code

    def issue(self, request: ReceiptRequest) -> IssuedReceipt:
        earlier = self._book.find_key(request.key)
        if earlier is not None and not earlier.cancelled:
            return earlier
        if request.amount <= 0:
            raise ValidationError("receipt.amount", "Không lập biên lai cho khoản thu bằng 0.")
        year = receipt_year(request.issued_at)
        series = series_for_year(self._series, year)
        number = next_receipt_number(self._book.last_number(self._template, series, year))
        return IssuedReceipt(
            provider=self.name,
            key=request.key,
            template_symbol=self._template,
            series=series,
            year=year,
            number=number,
            lookup_code=self._make_code(),
            issued_at=request.issued_at,
            amount=request.amount,
            standalone=True,
        )

    def look_up(self, lookup_code: str) -> IssuedReceipt | None:
        return self._book.find(lookup_code.strip().upper())

    def cancel(self, receipt: IssuedReceipt, reason: str, at: datetime) -> IssuedReceipt:
        if receipt.cancelled:
            raise ValidationError("receipt.already_cancelled", "Biên lai này đã bị hủy trước đó.")
        return replace(receipt, cancelled_at=at, cancel_reason=check_cancel_reason(reason))


class MemoryReceiptBook:
    """A `ReceiptBook` in a dict, for tests and tools that keep no database."""

    def __init__(self) -> None:
        self.receipts: list[IssuedReceipt] = []

    def add(self, receipt: IssuedReceipt) -> IssuedReceipt:
        self.receipts = [r for r in self.receipts if r.lookup_code != receipt.lookup_code]
        self.receipts.append(receipt)
        return receipt

    def last_number(self, template_symbol: str, series: str, year: int) -> int:
        used = [
            r.number
            for r in self.receipts
            if (r.template_symbol, r.series, r.year) == (template_symbol, series, year)
        ]
        return max(used, default=0)

    def find(self, lookup_code: str) -> IssuedReceipt | None:
        return next((r for r in self.receipts if r.lookup_code == lookup_code), None)

    def find_key(self, key: str) -> IssuedReceipt | None:
        live = [r for r in self.receipts if r.key == key and not r.cancelled]
        return live[-1] if live else None
