"""Alembic environment: runs on the engine handed in by app.db.database (no alembic.ini URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from app.db.migrations_filter import include_object
from app.db.models import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
