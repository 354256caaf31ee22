"""The central system's Alembic chain builds exactly the schema its models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync.server.models import Base
from tests.sync.conftest import Central


def test_the_central_migrations_match_the_models(central: Central):
    with central.db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert compare_metadata(context, Base.metadata) == []
