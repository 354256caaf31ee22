"""Counting the drawer by denomination, the expected cash, the difference and its reason, and the
business date of a session that runs past midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain.cash import (
    DENOMINATIONS,
    CashCount,
    business_date,
    cash_count,
    expected_cash,
    reconcile,
)
from app.domain.clock import VN_TZ
from app.domain.errors import ValidationError


def test_denominations_run_from_500000_down_to_1000_dong_notes():
    assert DENOMINATIONS[0] == 500_000 and DENOMINATIONS[-1] == 1_000
    assert list(DENOMINATIONS) == sorted(DENOMINATIONS, reverse=True)


def test_a_count_totals_its_notes_and_merges_text_and_int_keys():
    count = cash_count({"100000": 2, 5000: 3, 500_000: 0, 100_000: 1})
    assert count.total == 3 * 100_000 + 3 * 5000
    assert count.as_dict() == {"100000": 3, "5000": 3}  # empty denominations left out
    assert cash_count(count.as_dict()) == count


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ({300_000: 1}, "cash.denomination"),
        ({"abc": 1}, "cash.denomination"),
        ({500: 4}, "cash.denomination"),
        ({10_000: -1}, "cash.count"),
        ({10_000: 1.5}, "cash.count"),
    ],
)
def test_unknown_denominations_and_impossible_counts_are_refused(counts, code):
    with pytest.raises(ValidationError) as error:
        cash_count(counts)
    assert error.value.code == code


def test_expected_cash_is_the_float_plus_cash_taken_minus_cash_refunded():
    assert expected_cash(500_000, 215_000, 5_000) == 710_000


def test_a_balanced_drawer_needs_no_reason():
    result = reconcile(710_000, cash_count({500_000: 1, 200_000: 1, 10_000: 1}))
    assert result.balanced and result.difference == 0


@pytest.mark.parametrize(("counted", "word"), [({500_000: 1}, "thiếu"), ({500_000: 2}, "thừa")])
def test_a_difference_either_way_needs_a_reason(counted, word):
    with pytest.raises(ValidationError) as error:
        reconcile(710_000, cash_count(counted))
    assert error.value.code == "cash.difference_reason"
    assert word in error.value.message
    result = reconcile(710_000, cash_count(counted), "  Trả nhầm tiền thừa  ")
    assert result.difference == cash_count(counted).total - 710_000
    assert result.reason == "Trả nhầm tiền thừa"


def test_an_empty_drawer_counts_zero():
    assert CashCount().total == 0
    assert reconcile(0, CashCount()).balanced


def test_a_session_belongs_to_the_vietnam_day_it_was_opened():
    # 16:50 UTC is 23:50 in Hà Nội: still 23/11, even if it closes at 01:00 on 24/11.
    assert business_date(datetime(2026, 11, 23, 16, 50, tzinfo=UTC)) == date(2026, 11, 23)
    assert business_date(datetime(2026, 11, 23, 17, 10, tzinfo=UTC)) == date(2026, 11, 24)
    assert business_date(datetime(2026, 11, 23, 23, 50, tzinfo=VN_TZ)) == date(2026, 11, 23)
