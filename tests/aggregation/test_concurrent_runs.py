"""Two runs of one period at once (the scheduler's and an operator's ``hub aggregate``), and a
run and a push to its period at once, in real threads with real commits; and, on
PostgreSQL, the writers that need not wait for each other (a push to another period, another
cluster's push to the same one), which SQLite's single write lock serialises all the same.

These tests commit (the race is between transactions), so they use a cluster and periods
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
from tests.conftest import BACKEND
from tests.races import race
from tests.services.cleanup import remove_clusters

CLUSTER, PERIOD, OTHER_PERIOD, RUNS = "aggregate-race", "2031", "2032", 4
SIREN = make_siren(91_000_000)  # no other test's: the organisation is committed, then deleted
WAIT = 0.5  # seconds a blocked thread is given to show it does not go ahead


def push(session: Session, events: int, period: str = PERIOD) -> Any:
    document = {
        "period": period,
        "observations": [{"indicator": "EVENTS", "value": events}],
        "members": [{"siren": SIREN, "name": "Exemple SAS", "category": "SME"}],
    }
    return submit(session, cluster_code=CLUSTER, document=document, source="push", actor="test")


def while_held(
    factory: sessionmaker[Session], hold: Callable[[Session], Any], work: Callable[[Session], Any]
) -> tuple[bool, bool]:
    """Whether ``work``, in a thread, finished while another transaction had done ``hold``, and
    whether it had finished once that transaction committed."""
    done = threading.Event()

    def run() -> None:
        with factory() as session:
            work(session)
        done.set()

    with factory() as holder:
        hold(holder)
        worker = threading.Thread(target=run)
        worker.start()
        went_ahead = done.wait(WAIT)
        holder.commit()
    worker.join(timeout=60)
    return went_ahead, done.is_set()


def held_back(
    factory: sessionmaker[Session], hold: Callable[[Session], Any], work: Callable[[Session], Any]
) -> bool:
    """Whether ``work`` waits while another transaction has done ``hold``, and finishes once
    that transaction commits."""
    return while_held(factory, hold, work) == (False, True)


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
            session.execute(delete(model).where(model.period.in_((PERIOD, OTHER_PERIOD))))
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


def claim_as_a_push(cluster: str, period: str = PERIOD) -> Callable[[Session], None]:
    def claim(session: Session) -> None:
        assert locks.claim_series(session, cluster, period)
        session.execute(select(1))

    return claim


def test_a_push_to_a_period_waits_until_its_running_aggregation_commits(
    factory: sessionmaker[Session],
) -> None:
    assert held_back(factory, claim_as_a_run, lambda session: push(session, 8))


def test_a_push_to_another_period_goes_ahead_of_a_running_aggregation_on_postgresql(
    factory: sessionmaker[Session],
) -> None:
    """SQLite's one write lock makes every writer wait for the run, whatever its period."""
    went_ahead, finished = while_held(factory, claim_as_a_run, lambda session: push(session, 8, OTHER_PERIOD))
    assert (went_ahead, finished) == (BACKEND == "postgresql", True)


def test_pushes_of_two_clusters_to_one_period_go_ahead_together_on_postgresql(
    factory: sessionmaker[Session],
) -> None:
    pushes = while_held(factory, claim_as_a_push(CLUSTER), claim_as_a_push("medicen"))
    assert pushes == (BACKEND == "postgresql", True)


def test_pushes_of_one_cluster_to_two_periods_go_ahead_together_on_postgresql(
    factory: sessionmaker[Session],
) -> None:
    pushes = while_held(factory, claim_as_a_push(CLUSTER), claim_as_a_push(CLUSTER, OTHER_PERIOD))
    assert pushes == (BACKEND == "postgresql", True)


def test_an_aggregation_waits_until_a_push_to_its_period_commits(
    factory: sessionmaker[Session], base_config: Config
) -> None:
    assert held_back(
        factory,
        claim_as_a_push(CLUSTER),
        lambda session: aggregate_period(session, PERIOD, config=base_config),
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
