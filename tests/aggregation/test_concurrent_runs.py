"""Two runs of one period at once (the scheduler's and an operator's ``hub aggregate``), in
real threads with real commits.

These tests commit (the race is between transactions), so they use a cluster and a period
of their own and delete everything they left behind afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Config
from hub.db import make_session_factory
from hub.models import AggregateCell, Cluster, Completeness, JobRun
from hub.services.aggregation import aggregate_period
from hub.services.ingestion import submit
from tests.services.cleanup import remove_clusters

CLUSTER, PERIOD, RUNS = "aggregate-race", "2031", 4


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Cluster(code=CLUSTER, name="Race", region="FR-IDF", theme="DIGITAL", themes=["DIGITAL"]))
    with sessions() as session:
        document = {
            "period": PERIOD,
            "observations": [{"indicator": "EVENTS", "value": 7}],
            "members": [{"siren": "732829320", "name": "Exemple SAS", "category": "SME"}],
        }
        submit(session, cluster_code=CLUSTER, document=document, source="push", actor="test")
    yield sessions
    with sessions.begin() as session:
        for model in (AggregateCell, Completeness, JobRun):
            session.execute(delete(model).where(model.period == PERIOD))
        remove_clusters(session, [CLUSTER])


def test_two_runs_of_one_period_at_once_leave_each_cell_once(
    factory: sessionmaker[Session], base_config: Config
) -> None:
    start = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def runs(index: int) -> None:
        start.wait()
        with factory() as session:
            try:
                outcomes[index] = [aggregate_period(session, PERIOD, config=base_config) for _ in range(RUNS)]
            except Exception as error:  # the test inspects what each thread met
                outcomes[index] = error

    workers = [threading.Thread(target=runs, args=(index,)) for index in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
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
