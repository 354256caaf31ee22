"""The Alembic chain builds exactly the schema the models describe, on a real SQLite file."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

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


def test_0004_chains_the_events_already_there_and_keeps_them_append_only(tmp_path):
    from alembic import command

    from app.db.database import alembic_config
    from app.domain.audit_chain import GENESIS

    engine = create_sqlite_engine(tmp_path / "old.sqlite3")
    command.upgrade(alembic_config(engine), "0002")  # a store from before accounts and chain
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, full_name, active) "
                "VALUES ('u1', 'canbo', 'Cán bộ', 1)"
            )
        )
        for seq in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO events (id, seq, at, actor, workstation, action, entity_type, "
                    "entity_id, reason, data) VALUES (:id, :seq, :at, 'canbo', 'pc', 'receive', "
                    "'dossier', 'd1', '', :data)"
                ),
                {
                    "id": f"e{seq}",
                    "seq": seq,
                    "at": f"2026-11-2{seq}T09:00:00.000000",
                    "data": json.dumps({"n": seq, "ok": True}),
                },
            )
    upgrade_to_head(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT prev_hash, hash FROM events ORDER BY seq")).all()
        user = conn.execute(
            text("SELECT role, password_hash, must_change_password, failed_attempts FROM users")
        ).one()
        triggers = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    assert rows[0][0] == GENESIS and rows[1][0] == rows[0][1] and rows[2][0] == rows[1][1]
    assert tuple(user) == ("can_bo_mot_cua", "", 1, 0)
    assert {"events_no_update", "events_no_delete"} <= triggers
    db = Database(engine)
    from app.services.audit import verify_audit_chain
    from app.services.context import ServiceContext

    report = verify_audit_chain(ServiceContext(db=db))
    assert report.ok and report.entries == 3
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE events SET reason = 'x' WHERE seq = 1"))
    engine.dispose()
