"""Two runs of one period at once (the scheduler's and an operator's ``hub aggregate``), and a
run and a push to its period at once, in real threads with real commits.

These tests commit (the race is between transactions), so they use a cluster and a period
of their own and delete everything they left behind afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Config
from hub.db import make_session_factory
from hub.models import AggregateCell, Cluster, Completeness, JobRun, Organisation
from hub.services import locks
from hub.services.aggregation import aggregate_dirty, aggregate_period
from hub.services.ingestion import submit
from hub.services.registry import update_cluster
from schemas.siren import make_siren
from tests.races import race
from tests.services.cleanup import remove_clusters

CLUSTER, PERIOD, RUNS = "aggregate-race", "2031", 4
SIREN = make_siren(91_000_000)  # no other test's: the organisation is committed, then deleted
WAIT = 0.5  # seconds a blocked thread is given to show it does not go ahead


def push(session: Session, events: int) -> Any:
    document = {
        "period": PERIOD,
        "observations": [{"indicator": "EVENTS", "value": events}],
        "members": [{"siren": SIREN, "name": "Exemple SAS", "category": "SME"}],
    }
    return submit(session, cluster_code=CLUSTER, document=document, source="push", actor="test")


def held_back(
    factory: sessionmaker[Session], hold: Callable[[Session], Any], work: Callable[[Session], Any]
) -> bool:
    """Whether ``work``, in a thread, waits while another transaction has done ``hold``, and
    finishes once that transaction commits."""
    done = threading.Event()

    def run() -> None:
        with factory() as session:
            work(session)
        done.set()

    with factory() as holder:
        hold(holder)
        worker = threading.Thread(target=run)
        worker.start()
        waited = not done.wait(WAIT)
        holder.commit()
    worker.join(timeout=60)
    return waited and done.is_set()


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add(Cluster(code=CLUSTER, name="Race", region="FR-IDF", theme="DIGITAL", themes=["DIGITAL"]))
    with sessions() as session:
        push(session, 7)
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


def claim_as_a_run(session: Session) -> None:
    locks.claim_period(session, PERIOD)
    session.execute(select(1))  # on SQLite, the first statement takes the write lock


def test_a_push_to_a_period_waits_until_its_running_aggregation_commits(
    factory: sessionmaker[Session],
) -> None:
    assert held_back(factory, claim_as_a_run, lambda session: push(session, 8))


def test_an_aggregation_waits_until_a_push_to_its_period_commits(
    factory: sessionmaker[Session], base_config: Config
) -> None:
    def in_flight(session: Session) -> None:
        assert locks.claim_series(session, CLUSTER, PERIOD)
        session.execute(select(1))

    assert held_back(
        factory, in_flight, lambda session: aggregate_period(session, PERIOD, config=base_config)
    )


def test_two_passes_over_the_dirty_periods_at_once_run_a_dirty_period_once(
    factory: sessionmaker[Session], base_config: Config
) -> None:
    def runs(session: Session, _thread: int) -> list[str]:
        return [result.period for result in aggregate_dirty(session, config=base_config)]

    outcomes = race(factory, runs, threads=2)
    assert sorted(period for outcome in outcomes for period in outcome if period == PERIOD) == [PERIOD]


def test_a_registry_move_waits_until_the_running_aggregation_of_an_aggregated_period_commits(
    factory: sessionmaker[Session], base_config: Config
) -> None:
    with factory() as session:
        aggregate_period(session, PERIOD, config=base_config)

    def move(session: Session) -> None:
        update_cluster(session, CLUSTER, region="FR-ARA")
        session.commit()

    assert held_back(factory, claim_as_a_run, move)
