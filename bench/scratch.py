"""A database of the benchmark's own on the PostgreSQL server it is given, dropped at the end:
a benchmark must neither depend on nor leave behind what another run stored there (signing
keys encrypted with another instance's key make ``hub init`` fail)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """``url`` itself for SQLite (the benchmarks' files are already their own)."""
    if not url.startswith("postgresql"):
        yield url
        return
    name = f"hub_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
