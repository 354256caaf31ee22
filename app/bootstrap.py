"""Composition root: where the data directory, database and service context are built.

Nothing is opened at import time; the CLI and the desktop entry call `open_context`.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from app.db.database import Database
from app.domain.clock import Clock, SystemClock
from app.services.context import ServiceContext
from app.services.fee_policy import seed_demo_fee_policy
from app.services.station import InitResult, init_demo
from resources import resource_path

APP_NAME = "MotCuaDesk"
DEMO_CATALOGUE = ("catalogue", "demo.json")


def default_data_dir() -> Path:
    """`MOTCUA_DATA_DIR` if set, else the platform's user data dir (~/.local/share/MotCuaDesk)."""
    env = os.environ.get("MOTCUA_DATA_DIR")
    return Path(env) if env else Path(user_data_dir(APP_NAME, appauthor=False))


def open_context(data_dir: Path | None = None, clock: Clock | None = None) -> ServiceContext:
    db = Database.open(data_dir or default_data_dir())
    return ServiceContext(db=db, clock=clock or SystemClock())


def init_demo_data(ctx: ServiceContext) -> InitResult:
    result = init_demo(ctx, resource_path(*DEMO_CATALOGUE))
    seed_demo_fee_policy(ctx)  # once; its own transaction, so a re-run completes a broken init
    return result
