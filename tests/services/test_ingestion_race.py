"""Racing submissions for one cluster and period, in real threads with real commits.

These tests commit (the race is between transactions), so they use a cluster of their
own and delete everything it left behind afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from hub.db import make_session_factory
from hub.models import Cluster, MemberList, Observation, Organisation, Submission
from hub.services.ingestion import IngestionResult, submit
from schemas.siren import make_siren
from tests.races import race
from tests.services.cleanup import remove_clusters

CLUSTER = "race-test"
SIREN = make_siren(91_000_001)  # no other test's: the organisation is committed, then deleted
ROUNDS = 12


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Cluster(code=CLUSTER, name="Race", region="FR-IDF", theme="DIGITAL", themes=["DIGITAL"]))
    yield sessions
    with sessions.begin() as session:
        remove_clusters(session, [CLUSTER])
        session.execute(delete(Organisation).where(Organisation.siren == SIREN))


def body(value: int) -> dict[str, Any]:
    return {
        "period": "2025",
        "observations": [
            {"indicator": "PROJECTS_FUNDED", "value": value, "dimensions": {"funder": "ANR"}},
            {"indicator": "EVENTS", "value": value % 3},
        ],
        "members": [{"siren": SIREN, "name": f"Exemple {value % 2}", "category": "SME"}],
    }


def test_racing_submissions_leave_a_complete_revision_history(factory: sessionmaker[Session]) -> None:
    def pushes(session: Session, thread: int) -> Any:
        results = []
        for round_ in range(ROUNDS):
            value = 1000 * (thread + 1) + round_
            document = body(value)
            results.append(
                submit(session, cluster_code=CLUSTER, document=document, source="push", actor=f"t{thread}")
            )
        return results

    outcomes = race(factory, pushes, threads=2)
    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    with factory() as session:
        history = session.execute(
            select(Observation.revision, Observation.is_current, Observation.submission_id, Observation.value)
            .where(Observation.cluster_code == CLUSTER, Observation.indicator_code == "PROJECTS_FUNDED")
            .order_by(Observation.revision)
        ).all()
        member_list = session.get(MemberList, (CLUSTER, "2025"))
        last = session.scalar(
            select(Submission.id).where(Submission.cluster_code == CLUSTER).order_by(Submission.id.desc())
        )
    assert [row.revision for row in history] == list(range(1, len(history) + 1))
    assert [row.is_current for row in history].count(True) == 1 and history[-1].is_current
    assert len(history) == 2 * ROUNDS  # every push changed this value: no revision lost
    assert history[-1].submission_id == last
    assert member_list is not None


def test_a_key_raced_by_two_threads_stores_one_submission(factory: sessionmaker[Session]) -> None:
    def same_key(session: Session, _thread: int) -> IngestionResult:
        return submit(
            session,
            cluster_code=CLUSTER,
            document=body(7),
            source="push",
            actor="twin",
            idempotency_key="same",
        )

    outcomes = race(factory, same_key, threads=2)
    assert all(isinstance(outcome, IngestionResult) for outcome in outcomes), outcomes
    assert sorted(outcome.replayed for outcome in outcomes) == [False, True]
    assert len({outcome.submission_id for outcome in outcomes}) == 1
    with factory() as session:
        assert (
            len(session.scalars(select(Submission.id).where(Submission.cluster_code == CLUSTER)).all()) == 1
        )
