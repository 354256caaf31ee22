"""Time source. Services take a clock so tests and back-filled receptions control "now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(VN_TZ)


@dataclass
class FixedClock:
    """A clock for tests and scripts: stays where it is set."""

    current: datetime

    def now(self) -> datetime:
        return self.current
