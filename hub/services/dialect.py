"""``INSERT ... ON CONFLICT`` for the two backends, which SQLAlchemy spells per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(dialect: str, table: Table) -> Any:
    """An insert of ``table`` that can take ``on_conflict_do_nothing`` / ``_do_update``."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
