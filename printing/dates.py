"""Dates and times as Vietnamese official documents write them.

«15 giờ 30 phút, ngày 25 tháng 11 năm 2026» for reception and appointment times, «Sơn La, ngày 05
tháng 3 năm 2026» in the header. NĐ 30/2020 (Appendix I) puts a leading zero before a day under 10
and before the months 1 and 2 — and only those months, so that «tháng 1» cannot be turned into
«tháng 11» or «tháng 12» by hand. Hours and minutes are always two digits. Every moment is shown in
Vietnam time whatever zone it arrives in.
"""

from __future__ import annotations

from datetime import date, datetime

from app.domain.clock import VN_TZ


def vn_local(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ) if moment.tzinfo else moment


def _month(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def date_in_words(day: date) -> str:
    """«ngày 25 tháng 11 năm 2026»; «ngày 05 tháng 02 năm 2027»; «ngày 15 tháng 3 năm 2026»."""
    return f"ngày {day.day:02d} tháng {_month(day.month)} năm {day.year}"


def moment_in_words(moment: datetime) -> str:
    """«15 giờ 30 phút, ngày 25 tháng 11 năm 2026»."""
    local = vn_local(moment)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {date_in_words(local.date())}"


def short_moment(moment: datetime | None) -> str:
    """«15:30 25/11/2026» for table cells; "" when there is no moment yet."""
    if moment is None:
        return ""
    local = vn_local(moment)
    return f"{local:%H:%M %d/%m/%Y}"


def short_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"
