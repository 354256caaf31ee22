"""sync credential in the key store, CA bundle

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00.000000

The counter's bearer credential moves out of `sync_state` into the workstation key store (OS
keyring or owner-only key file). A migration cannot reach the key store, so existing rows keep
their credential here until the sync port's first read moves it and sets the column to NULL
(`app.services.sync_port.sync_settings`); hence `credential` becomes nullable and
`credential_ref` (the key-store entry) starts empty. `ca_file` is the optional CA bundle that
signs the province's central server certificate.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The table is rebuilt (SQLite cannot relax NOT NULL in place): zero the old table's pages as
    # they are freed, so the credential they hold does not linger in the file after its move.
    op.execute("PRAGMA secure_delete=ON")
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.alter_column('credential', existing_type=sa.String(length=200), nullable=True)
        batch_op.add_column(sa.Column('credential_ref', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ca_file', sa.String(length=500), nullable=False, server_default=''))
    op.execute("PRAGMA secure_delete=OFF")


def downgrade() -> None:
    # A credential already moved to the key store is not brought back: re-enrol after a downgrade.
    op.execute("UPDATE sync_state SET credential = '' WHERE credential IS NULL")
    with op.batch_alter_table('sync_state', schema=None) as batch_op:
        batch_op.drop_column('ca_file')
        batch_op.drop_column('credential_ref')
        batch_op.alter_column('credential', existing_type=sa.String(length=200), nullable=False)
