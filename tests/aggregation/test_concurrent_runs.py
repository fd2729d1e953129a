"""Two runs of one period at once (the scheduler's and an operator's ``hub aggregate``), in
real threads with real commits.

These tests commit (the race is between transactions), so they use a cluster and a period
of their own and delete everything they left behind afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Config
from hub.db import make_session_factory
from hub.models import AggregateCell, Cluster, Completeness, JobRun, Organisation
from hub.services.aggregation import aggregate_period
from hub.services.ingestion import submit
from schemas.siren import make_siren
from tests.races import race
from tests.services.cleanup import remove_clusters

CLUSTER, PERIOD, RUNS = "aggregate-race", "2031", 4
SIREN = make_siren(91_000_000)  # no other test's: the organisation is committed, then deleted


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Cluster(code=CLUSTER, name="Race", region="FR-IDF", theme="DIGITAL", themes=["DIGITAL"]))
    with sessions() as session:
        document = {
            "period": PERIOD,
            "observations": [{"indicator": "EVENTS", "value": 7}],
            "members": [{"siren": SIREN, "name": "Exemple SAS", "category": "SME"}],
        }
        submit(session, cluster_code=CLUSTER, document=document, source="push", actor="test")
    yield sessions
    with sessions.begin() as session:
        for model in (AggregateCell, Completeness, JobRun):
            session.execute(delete(model).where(model.period == PERIOD))
        remove_clusters(session, [CLUSTER])
        session.execute(delete(Organisation).where(Organisation.siren == SIREN))


def test_two_runs_of_one_period_at_once_leave_each_cell_once(
    factory: sessionmaker[Session], base_config: Config
) -> None:
    def runs(session: Session, _thread: int) -> list[Any]:
        return [aggregate_period(session, PERIOD, config=base_config) for _ in range(RUNS)]

    outcomes = race(factory, runs, threads=2)
    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    key = (AggregateCell.indicator_code, AggregateCell.level, AggregateCell.area, AggregateCell.dims_key)
    with factory() as session:
        repeated = session.execute(
            select(*key).where(AggregateCell.period == PERIOD).group_by(*key).having(func.count() > 1)
        ).all()
        national = session.scalar(
            select(AggregateCell.value).where(
                AggregateCell.period == PERIOD,
                AggregateCell.indicator_code == "EVENTS",
                AggregateCell.level == "national",
                AggregateCell.dims_key == "",
            )
        )
    assert repeated == []
    assert national == 7
