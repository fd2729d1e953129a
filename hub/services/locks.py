"""Serialise writers of one cluster and period, so racing submissions keep a coherent history.

On PostgreSQL a transaction-scoped advisory lock does it; SQLite transactions begin
``IMMEDIATE`` (``hub.db``), so the database's single write lock already serialises them.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(*parts: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` (``hash()`` varies per process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_series(session: Session, cluster_code: str, period: str) -> None:
    """Block until no other transaction writes this cluster's period; released at commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(cluster_code, period)})
