"""Shared fixtures: a real SQLite data dir with the bundled demo data, and a settable clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.bootstrap import init_demo_data, open_context
from app.domain.clock import VN_TZ, FixedClock
from app.services.context import ServiceContext

# Monday 23/11/2026 09:00 — the day before the 24/11 day off.
DEFAULT_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def ctx(data_dir: Path, clock: FixedClock) -> Iterator[ServiceContext]:
    context = open_context(data_dir, clock)
    init_demo_data(context)
    yield context
    context.db.close()
