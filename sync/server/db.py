"""The central database: engine for PostgreSQL or SQLite, units of work, migrations, feed clock.

PostgreSQL (psycopg 3) is the production store: one database, any number of stateless server
processes. SQLite is accepted for a single-office install and for development; it runs in WAL mode
and takes the write lock at BEGIN (IMMEDIATE) so concurrent writers queue instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from sync.server.models import FeedClock

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """`postgresql://…` means psycopg 3 (the driver we ship), not psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_server_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, "head")
    with Session(engine) as session, session.begin():
        if session.get(FeedClock, 1) is None:
            session.add(FeedClock(id=1, value=0))


class ServerDatabase:
    """Owns the engine; one session per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(
            engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True, pool_size: int = 10) -> ServerDatabase:
        engine = create_server_engine(url, pool_size=pool_size)
        if migrate_schema:
            migrate(engine)
        return cls(engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._writes() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def take_seqs(session: Session, count: int) -> int:
    """Reserve `count` feed positions; returns the first. Holds the clock row lock until commit,
    which serialises feed writers so positions commit in order (see models.py)."""
    last = session.execute(
        update(FeedClock)
        .where(FeedClock.id == 1)
        .values(value=FeedClock.value + count)
        .returning(FeedClock.value)
    ).scalar_one()
    return int(last) - count + 1


def committed_clock(session: Session) -> int:
    return int(session.scalar(select(FeedClock.value).where(FeedClock.id == 1)) or 0)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
