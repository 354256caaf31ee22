"""Dates and times as official documents write them (NĐ 30/2020 leading zeros)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain.clock import VN_TZ
from printing.dates import date_in_words, moment_in_words, short_moment


def test_reception_time_in_words():
    moment = datetime(2026, 11, 25, 15, 30, tzinfo=VN_TZ)
    assert moment_in_words(moment) == "15 giờ 30 phút, ngày 25 tháng 11 năm 2026"


def test_days_under_ten_and_months_one_and_two_get_a_leading_zero_only():
    assert date_in_words(date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert date_in_words(date(2027, 2, 1)) == "ngày 01 tháng 02 năm 2027"
    assert date_in_words(date(2027, 1, 31)) == "ngày 31 tháng 01 năm 2027"
    assert date_in_words(date(2026, 12, 10)) == "ngày 10 tháng 12 năm 2026"


def test_hours_and_minutes_are_two_digits_in_vietnam_time():
    utc = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)  # 07:05 in Hà Nội
    assert moment_in_words(utc) == "07 giờ 05 phút, ngày 24 tháng 11 năm 2026"
    assert short_moment(utc) == "07:05 24/11/2026"
    assert short_moment(None) == ""
