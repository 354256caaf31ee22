"""The Alembic chain builds exactly the schema the models describe, on a real SQLite file."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.db.database import Database, create_sqlite_engine, upgrade_to_head
from app.db.migrations_filter import include_object
from app.db.models import Base


def test_empty_database_upgrades_to_head_and_matches_the_models(tmp_path):
    engine = create_sqlite_engine(tmp_path / "m.sqlite3")
    upgrade_to_head(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "render_as_batch": True}
        )
        diff = compare_metadata(context, Base.metadata)
        assert diff == []
        tables = set(inspect(conn).get_table_names())
    assert {"dossiers", "events", "outbox", "code_leases", "dossier_fts"} <= tables
    upgrade_to_head(engine)  # idempotent
    engine.dispose()


def test_store_runs_wal_with_full_sync_and_foreign_keys(tmp_path):
    db = Database.open(tmp_path)
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    db.close()
