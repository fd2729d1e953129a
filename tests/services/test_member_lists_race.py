"""Member lists of two clusters sharing organisations the hub has never seen, ingested at the same
time in real threads with real commits: both are stored, neither deadlocks (PostgreSQL aborts
one of two transactions that take the same unique-index locks in opposite orders)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from hub.db import make_session_factory
from hub.models import Cluster, Organisation
from hub.services.ingestion import submit
from schemas.siren import make_siren
from tests.races import race
from tests.services.cleanup import remove_clusters

CLUSTERS = ("race-members-a", "race-members-b")
SIRENS = [make_siren(90_000_000 + n) for n in range(3000)]


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for code in CLUSTERS:
            session.add(Cluster(code=code, name=code, region="FR-IDF", theme="DIGITAL", themes=["DIGITAL"]))
    yield sessions
    with sessions.begin() as session:
        remove_clusters(session, list(CLUSTERS))
        session.execute(delete(Organisation).where(Organisation.siren.in_(SIRENS)))


def members(order: list[str]) -> dict[str, Any]:
    rows = [
        {"siren": siren, "name": f"Org {siren}", "category": "SME", "region": "FR-IDF"} for siren in order
    ]
    return {"period": "2025", "members": rows}


def test_lists_sharing_new_organisations_are_both_stored(factory: sessionmaker[Session]) -> None:
    orders = [SIRENS, SIRENS[::-1]]  # opposite orders: the worst case for lock ordering

    def ingest(session: Session, index: int) -> Any:
        document = members(orders[index])
        result = submit(session, cluster_code=CLUSTERS[index], document=document, source="push", actor="t")
        return result.counts["members"]["created"]

    outcomes = race(factory, ingest, threads=2)
    assert outcomes == [len(SIRENS), len(SIRENS)]
    with factory() as session:
        stored = session.scalars(select(Organisation.siren).where(Organisation.siren.in_(SIRENS))).all()
    assert sorted(stored) == sorted(SIRENS)
