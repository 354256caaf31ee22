"""Receipt numbering (≤ 8 digits, restart at 1 each 1 January in Vietnam time) and the local
provider that numbers receipts itself and says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.clock import VN_TZ
from app.domain.errors import CapacityError, ValidationError
from app.domain.receipts import (
    LOCAL_NOTICE,
    LocalReceiptProvider,
    MemoryReceiptBook,
    ReceiptLine,
    ReceiptRequest,
    format_receipt_number,
    next_receipt_number,
    receipt_year,
    series_for_year,
)


def request(key: str, at: datetime, amount: int = 15_000) -> ReceiptRequest:
    return ReceiptRequest(
        key=key,
        issued_at=at,
        payer_name="Đặng Thị Hoà",
        payer_address="",
        dossier_code="000.00.70.H52-261123-0001",
        procedure_name="Đăng ký thường trú",
        lines=(ReceiptLine("LP-TT", "Lệ phí đăng ký thường trú", amount),),
    )


@pytest.fixture
def book() -> MemoryReceiptBook:
    return MemoryReceiptBook()


@pytest.fixture
def provider(book: MemoryReceiptBook) -> LocalReceiptProvider:
    return LocalReceiptProvider(book, "01BLP-LOCAL", "LC{yy}")


def issue(provider: LocalReceiptProvider, book: MemoryReceiptBook, key: str, at: datetime):
    # The caller stores what the provider issued (the service does it in the same transaction).
    return book.add(provider.issue(request(key, at)))


def test_numbers_start_at_1_and_never_repeat_within_a_year(provider, book):
    at = datetime(2026, 3, 1, 9, 0, tzinfo=VN_TZ)
    numbers = [issue(provider, book, f"p{i}", at).number for i in range(200)]
    assert numbers == list(range(1, 201))


def test_numbering_restarts_at_1_on_1_january_and_the_series_follows_the_year(provider, book):
    last_2026 = datetime(2026, 12, 31, 23, 59, tzinfo=VN_TZ)
    for i in range(3):
        issue(provider, book, f"a{i}", last_2026)
    first_2027 = issue(provider, book, "b0", datetime(2027, 1, 1, 0, 0, tzinfo=VN_TZ))
    assert (first_2027.year, first_2027.number, first_2027.series) == (2027, 1, "LC27")
    assert book.last_number("01BLP-LOCAL", "LC26", 2026) == 3


def test_the_numbering_year_is_the_vietnam_year_not_the_utc_one():
    # 17:30 UTC on 31/12 is already 00:30 on 1/1 in Hà Nội.
    assert receipt_year(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == 2027
    assert receipt_year(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2026
    with pytest.raises(ValueError):
        receipt_year(datetime(2026, 12, 31, 17, 30))


def test_receipt_numbers_have_at_most_8_digits():
    assert next_receipt_number(0) == 1
    assert next_receipt_number(99_999_998) == 99_999_999
    with pytest.raises(CapacityError) as error:
        next_receipt_number(99_999_999)
    assert error.value.code == "receipt.numbers_exhausted"
    assert format_receipt_number(42) == "00000042"
    with pytest.raises(ValueError):
        format_receipt_number(100_000_000)


def test_series_patterns_carry_the_year():
    assert series_for_year("C{yy}TLO", 2027) == "C27TLO"
    assert series_for_year("BL-{yyyy}", 2026) == "BL-2026"
    assert series_for_year("AA", 2026) == "AA"


def test_local_receipts_are_marked_as_numbered_by_the_workstation(provider, book):
    receipt = issue(provider, book, "p1", datetime(2026, 5, 4, 10, 0, tzinfo=VN_TZ))
    assert receipt.standalone and receipt.provider == "local"
    assert receipt.lookup_code.startswith("LOCAL-")
    assert "không phải biên lai điện tử" in LOCAL_NOTICE


def test_issuing_twice_for_the_same_payment_returns_the_same_receipt(provider, book):
    at = datetime(2026, 5, 4, 10, 0, tzinfo=VN_TZ)
    first = issue(provider, book, "p1", at)
    again = provider.issue(request("p1", at))
    assert again == first
    assert book.last_number("01BLP-LOCAL", "LC26", 2026) == 1


def test_look_up_finds_a_receipt_by_its_code(provider, book):
    receipt = issue(provider, book, "p1", datetime(2026, 5, 4, 10, 0, tzinfo=VN_TZ))
    assert provider.look_up(receipt.lookup_code.lower()) == receipt
    assert provider.look_up("LOCAL-NOPE") is None


def test_cancelling_keeps_the_number_needs_a_reason_and_happens_once(provider, book):
    at = datetime(2026, 5, 4, 10, 0, tzinfo=VN_TZ)
    receipt = issue(provider, book, "p1", at)
    with pytest.raises(ValidationError):
        provider.cancel(receipt, "  ", at)
    cancelled = book.add(provider.cancel(receipt, "Ghi sai tên người nộp", at))
    assert cancelled.cancelled and cancelled.number == receipt.number
    assert cancelled.cancel_reason == "Ghi sai tên người nộp"
    with pytest.raises(ValidationError):
        provider.cancel(cancelled, "lần nữa", at)
    # A replacement for the same payment gets the next number; the cancelled one is not reused.
    replacement = issue(provider, book, "p1", at)
    assert replacement.number == 2


def test_a_zero_receipt_is_refused(provider):
    with pytest.raises(ValidationError):
        provider.issue(request("p0", datetime(2026, 5, 4, 10, 0, tzinfo=VN_TZ), amount=0))
