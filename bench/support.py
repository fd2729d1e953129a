"""What every benchmark shares: progress for a person, one JSON line per figure (DESIGN.md,
"Benchmarks"), a hub on a database of its own."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from hub.config import Config
from hub.db import make_engine, make_session_factory
from hub.services.registry import add_cluster
from hub.services.setup import initialise
from hub.state import HubState


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(
    bench: str,
    metric: str,
    value: float,
    *,
    floor: float | None,
    ratio: float | None,
    target: float,
    database: str,
    scale: int,
    digits: int = 3,
) -> None:
    """One figure; ``ratio`` is higher-is-better (value/floor for rates, floor/value for times)."""

    def rounded(number: float | None) -> float | None:
        return None if number is None else round(number, digits)

    line = {
        "bench": bench,
        "metric": metric,
        "value": rounded(value),
        "floor": rounded(floor),
        "ratio": rounded(ratio),
        "target": target,
        "database": database,
        "scale": scale,
    }
    print(json.dumps(line), flush=True)


def build(url: str, instance: Path) -> HubState:
    """A hub initialised on ``url``, its keys in ``instance``."""
    config = Config.from_env({}, instance_dir=instance, database_url=url)
    engine = make_engine(config)
    initialise(config, engine)
    return HubState.build(config, engine, make_session_factory(engine))


def register_clusters(state: HubState, federation: Any) -> None:
    """The clusters a scaled federation adds to the shipped registry."""
    with state.sessions() as session:
        for cluster in federation.extra_clusters():
            add_cluster(
                session, code=cluster.code, name=cluster.name, region=cluster.region, theme=cluster.theme
            )
        session.commit()


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """A database of the benchmark's own on the PostgreSQL server of ``url``, dropped at the
    end: a run must neither depend on nor leave behind what another stored there (signing keys
    encrypted with another instance's key make ``hub init`` fail). ``url`` itself for SQLite,
    whose files are already the benchmark's own."""
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
