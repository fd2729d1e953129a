"""The scheduler's jobs, called directly: what each does to the database."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.models import AggregateCell, DirtyPeriod, JobRun, utcnow
from hub.services.ingestion import submit
from jobs.definitions import JOBS, JobContext, abandon_dead_runs, aggregate_dirty_periods


@pytest.fixture
def context(state):
    with ThreadPoolExecutor(2) as pool:
        yield JobContext(state=state, pool=pool)


def _running_run(db, *, silent_for: timedelta) -> JobRun:
    started = utcnow() - silent_for
    run = JobRun(kind="sync", cluster_code="medicen", status="running", started_at=started, heartbeat_at=started)
    db.add(run)
    db.commit()
    return run


def test_a_run_silent_past_the_timeout_is_abandoned(context, db, state):
    run = _running_run(db, silent_for=timedelta(seconds=state.config.run_timeout_seconds + 60))
    assert abandon_dead_runs(context) == 1
    db.refresh(run)
    assert run.status == "abandoned"
    assert run.finished_at is not None
    assert "runner stopped answering" in (run.error or "")


def test_a_running_run_with_a_recent_heartbeat_is_left_alone(context, db):
    run = _running_run(db, silent_for=timedelta(seconds=5))
    assert abandon_dead_runs(context) == 0
    db.refresh(run)
    assert run.status == "running"


def test_periods_changed_by_a_push_are_aggregated_once(context, db):
    submit(
        db,
        cluster_code="medicen",
        document={"period": "2025", "observations": [{"indicator": "EVENTS", "value": 12}]},
        source="push",
        actor="test",
    )
    assert aggregate_dirty_periods(context) == 1
    assert db.scalar(select(func.count()).select_from(DirtyPeriod)) == 0
    assert db.scalar(select(func.count()).select_from(AggregateCell).where(AggregateCell.period == "2025")) > 0
    assert aggregate_dirty_periods(context) == 0


def test_every_job_has_a_distinct_id_and_a_trigger(state):
    assert len({spec.id for spec in JOBS}) == len(JOBS)
    for spec in JOBS:
        assert spec.trigger(state.config) is not None
