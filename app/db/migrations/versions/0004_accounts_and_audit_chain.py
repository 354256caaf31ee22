"""accounts and audit chain

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 17:30:40.218477

Officer accounts get a role, an Argon2id password hash and the lockout state; events get the hash
chain (prev_hash, hash), computed here for the rows already there. Existing accounts keep working
as counter officers with no password (an administrator sets one). The events triggers are dropped
only while the hashes are filled in, and recreated exactly as migration 0001 made them.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from app.db.types import VNDateTime
from app.domain.audit_chain import GENESIS, entry_hash
from app.domain.clock import VN_TZ


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

EVENTS_TRIGGERS = {
    "events_no_delete": "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN "
    "SELECT RAISE(ABORT, 'events rows are never deleted'); END",
    "events_no_update": "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN "
    "SELECT RAISE(ABORT, 'events are append-only'); END",
}
_STORED = "%Y-%m-%dT%H:%M:%S.%f"  # app.db.types' text form of a timestamp


def _fill_event_hashes() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, seq, at, actor, workstation, action, entity_type, entity_id, dossier_id, "
            "from_status, to_status, reason, data FROM events ORDER BY seq"
        )
    ).mappings()
    prev = GENESIS
    updates = []
    for row in rows:
        entry = dict(row)
        entry["at"] = datetime.strptime(row["at"], _STORED).replace(tzinfo=VN_TZ)
        entry["data"] = json.loads(row["data"]) if row["data"] else {}
        value = entry_hash(entry, prev)
        updates.append({"id": row["id"], "prev": prev, "hash": value})
        prev = value
    for update in updates:
        connection.execute(
            sa.text("UPDATE events SET prev_hash = :prev, hash = :hash WHERE id = :id"), update
        )


def upgrade() -> None:
    for trigger in EVENTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))
    _fill_event_hashes()
    # Whether or not the batch operation rebuilt the table, the triggers are back before commit.
    for ddl in EVENTS_TRIGGERS.values():
        op.execute(ddl)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=32), nullable=False, server_default='can_bo_mot_cua'))
        batch_op.add_column(sa.Column('password_hash', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('password_changed_at', VNDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_failed_at', VNDateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_until', VNDateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_at', VNDateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('created_at', VNDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('created_at')
        batch_op.drop_column('locked_reason')
        batch_op.drop_column('locked_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('last_failed_at')
        batch_op.drop_column('failed_attempts')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('password_hash')
        batch_op.drop_column('role')

    for trigger in EVENTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
    for ddl in EVENTS_TRIGGERS.values():
        op.execute(ddl)
