"""Column types shared by the models: UUID text keys and Vietnam-local timestamps.

Timestamps are stored as fixed-width ISO text in Asia/Ho_Chi_Minh local time (the product lives in
one timezone with no DST), so they sort and range-filter as text and read back timezone-aware.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.domain.clock import VN_TZ

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def new_id() -> str:
    return str(uuid.uuid4())


def to_db_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database layer")
    return value.astimezone(VN_TZ).strftime(_FORMAT)


class VNDateTime(TypeDecorator[datetime]):
    impl = String(26)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else to_db_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(value, _FORMAT).replace(tzinfo=VN_TZ)
