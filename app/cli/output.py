"""How the CLI prints: JSON (dataclasses, dates and enums made plain) or short Vietnamese text."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, datetime
from enum import Enum
from typing import Any

from app.domain.errors import AppError
from app.domain.formatting import vn_date, vn_datetime

__all__ = ["emit", "emit_error", "plain", "vn_date", "vn_datetime"]


def plain(value: Any) -> Any:
    """Dataclasses, datetimes, enums and tuples as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def emit(data: Any, *, as_json: bool, text: str) -> None:
    if as_json:
        json.dump(plain(data), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")
    sys.stdout.flush()


def emit_error(error: AppError, *, as_json: bool) -> None:
    sys.stderr.write(f"Lỗi: {error.message}\n")
    if as_json:
        json.dump({"error": error.to_dict()}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
