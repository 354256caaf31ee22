"""Which database objects Alembic compares with the models (shared by env.py and the tests)."""

from __future__ import annotations

from typing import Any

# The FTS5 virtual table and its shadow tables are created by raw SQL in migration 0001.
RAW_SQL_TABLES = ("dossier_fts",)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(RAW_SQL_TABLES))
