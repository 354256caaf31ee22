"""Short Vietnamese display formats for the CLI and the screens: dd/mm/yyyy, HH:MM dd/mm/yyyy.

(Official forms write dates in words; that belongs to printing.)
"""

from __future__ import annotations

from datetime import date, datetime

from app.domain.clock import VN_TZ


def vn_datetime(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def vn_date(day: date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")
