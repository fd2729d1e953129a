"""The scheduler's jobs, called directly: what each does to the database."""

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from hub.demo_feeds import connector_config
from hub.models import AggregateCell, DirtyPeriod, JobRun, utcnow
from hub.services import runs
from hub.services.aggregation import AggregationFailed
from hub.services.connectors import Settings, configure
from hub.services.ingestion import submit
from jobs.definitions import (
    JOBS,
    JobContext,
    abandon_dead_runs,
    aggregate_dirty_periods,
    follow_connector_schedules,
    queue_scheduled_sync,
    start_queued_runs,
)
from tests.conftest import FEEDS_SECRET


@pytest.fixture
def context(state):
    """One worker: the test's database connection must never be used by two threads at once."""
    with ThreadPoolExecutor(1) as pool:
        scheduler = BackgroundScheduler(timezone=UTC)
        yield JobContext(state=state, pool=pool, scheduler=scheduler)


def _configure(state, db, code, url, schedule=None, enabled=True):
    settings = Settings(**connector_config(code, url, FEEDS_SECRET), schedule=schedule, enabled=enabled)
    configure(db, fernet=state.fernet, cluster_code=code, settings=settings, actor="admin")
    db.commit()


def _running_run(db, *, silent_for: timedelta) -> JobRun:
    started = utcnow() - silent_for
    run = JobRun(
        kind="sync", cluster_code="medicen", status="running", started_at=started, heartbeat_at=started
    )
    db.add(run)
    db.commit()
    return run


def test_a_run_silent_past_the_timeout_is_abandoned(context, db, state):
    run = _running_run(db, silent_for=timedelta(seconds=state.config.run_timeout_seconds + 60))
    assert abandon_dead_runs(context) == 1
    db.refresh(run)
    assert run.status == "abandoned"
    assert run.finished_at is not None
    assert "runner stopped" in (run.error or "")


def test_a_running_run_with_a_recent_heartbeat_is_left_alone(context, db):
    run = _running_run(db, silent_for=timedelta(seconds=5))
    assert abandon_dead_runs(context) == 0
    db.refresh(run)
    assert run.status == "running"


def _push_2025(db):
    submit(
        db,
        cluster_code="medicen",
        document={"period": "2025", "observations": [{"indicator": "EVENTS", "value": 12}]},
        source="push",
        actor="test",
    )


def test_periods_changed_by_a_push_are_aggregated_once(context, db):
    _push_2025(db)
    assert aggregate_dirty_periods(context) == 1
    assert db.scalar(select(func.count()).select_from(DirtyPeriod)) == 0
    assert (
        db.scalar(select(func.count()).select_from(AggregateCell).where(AggregateCell.period == "2025")) > 0
    )
    assert aggregate_dirty_periods(context) == 0


def test_the_schedulers_aggregation_runs_are_recorded_as_its_own(context, db):
    _push_2025(db)
    aggregate_dirty_periods(context)
    assert db.scalars(select(JobRun.trigger).where(JobRun.kind == "aggregate")).all() == ["scheduler"]


def test_a_period_that_keeps_failing_waits_for_the_configured_interval(context, db, state):
    context = dataclasses.replace(
        context,
        state=dataclasses.replace(
            state, config=dataclasses.replace(state.config, aggregate_interval_seconds=600)
        ),
    )
    marked = utcnow() - timedelta(hours=1)
    db.add(DirtyPeriod(period="1999-Q9", cluster_code="medicen", marked_at=marked))  # always fails
    db.commit()
    for _ in range(2):
        with pytest.raises(AggregationFailed):
            aggregate_dirty_periods(context)
    for run in db.scalars(select(JobRun).where(JobRun.period == "1999-Q9")):
        run.finished_at -= timedelta(seconds=599)
    db.commit()
    assert aggregate_dirty_periods(context) == 0
    assert db.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == "failed")) == 2


def test_every_job_has_a_distinct_id_and_a_trigger(state):
    assert len({spec.id for spec in JOBS}) == len(JOBS)
    for spec in JOBS:
        assert spec.trigger(state.config) is not None


def test_dirty_periods_are_aggregated_as_often_as_the_configuration_says(state):
    config = dataclasses.replace(state.config, aggregate_interval_seconds=17)
    (spec,) = [spec for spec in JOBS if spec.id == "aggregate-dirty"]
    assert spec.trigger(config).interval == timedelta(seconds=17)


def test_a_queued_pull_is_started_and_runs_to_its_end(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url)
    run = runs.queue_sync(db, "medicen", period="2024", trigger="api", requested_by="tester")
    db.commit()
    assert start_queued_runs(context) == [run.id]
    context.pool.shutdown(wait=True)
    db.refresh(run)
    assert run.status == "succeeded"
    assert context.in_flight == set()


def test_a_run_already_handed_to_the_pool_is_not_started_twice(context, state, db):
    _configure(state, db, "medicen", "http://127.0.0.1:9/feeds")
    run = runs.queue_sync(db, "medicen", period="2024", trigger="api", requested_by="tester")
    db.commit()
    context.in_flight.add(run.id)
    assert start_queued_runs(context) == []


def test_a_connector_schedule_becomes_one_cron_job(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    assert follow_connector_schedules(context) == {"medicen": "0 3 * * *"}
    follow_connector_schedules(context)
    jobs = [job for job in context.scheduler.get_jobs() if job.id.startswith("sync:")]
    assert [job.id for job in jobs] == ["sync:medicen"]


def test_a_disabled_connector_gets_no_cron_job(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *", enabled=False)
    assert follow_connector_schedules(context) == {}
    assert context.scheduler.get_job("sync:medicen") is None


def test_a_cron_schedule_is_read_in_utc_whatever_the_machines_time_zone(
    context, state, db, demo_feeds, monkeypatch
):
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    follow_connector_schedules(context)
    assert str(context.scheduler.get_job("sync:medicen").trigger.timezone) == "UTC"


def _weekdays_fired(trigger, days=14):
    """The weekdays ``trigger`` fires on over ``days`` days from Wednesday 1 January 2025."""
    fired, start = [], datetime(2025, 1, 1, tzinfo=UTC)
    moment = trigger.get_next_fire_time(None, start)
    while moment < start + timedelta(days=days):
        fired.append(moment.strftime("%a"))
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return sorted(set(fired), key=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].index)


@pytest.mark.parametrize(
    ("weekdays", "fired"),
    [
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("mon-fri", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0,6", ["Sat", "Sun"]),
        ("*/2", ["Tue", "Thu", "Sat", "Sun"]),
        ("1-7/3", ["Mon", "Thu", "Sun"]),
        ("SUN", ["Sun"]),
        ("*", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    ],
)
def test_a_cron_job_fires_on_the_weekdays_cron_numbers_from_sunday(
    context, state, db, demo_feeds, weekdays, fired
):
    _configure(state, db, "medicen", demo_feeds.url, schedule=f"0 3 * * {weekdays}")
    follow_connector_schedules(context)
    assert _weekdays_fired(context.scheduler.get_job("sync:medicen").trigger) == fired


def test_a_changed_schedule_replaces_the_cron_job_and_a_removed_one_drops_it(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    follow_connector_schedules(context)
    _configure(state, db, "medicen", demo_feeds.url, schedule="30 4 * * 1")
    follow_connector_schedules(context)
    assert context.scheduler.get_job("sync:medicen").name == "sync:medicen 30 4 * * 1"
    _configure(state, db, "medicen", demo_feeds.url, schedule=None)
    follow_connector_schedules(context)
    assert context.scheduler.get_job("sync:medicen") is None


def test_a_cron_firing_queues_one_pull_while_one_is_pending(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    first = queue_scheduled_sync(context, "medicen")
    assert first is not None
    assert queue_scheduled_sync(context, "medicen") is None
    assert db.get(JobRun, first).trigger == "schedule"


def test_a_cron_firing_queues_nothing_while_the_clusters_pull_runs(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    db.get(JobRun, queue_scheduled_sync(context, "medicen")).status = "running"
    db.commit()
    assert queue_scheduled_sync(context, "medicen") is None


def test_another_clusters_pending_pull_does_not_hold_back_a_cron(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    _configure(state, db, "cosmetic-valley", demo_feeds.url, schedule="0 3 * * *")
    queue_scheduled_sync(context, "medicen")
    assert queue_scheduled_sync(context, "cosmetic-valley") is not None


def test_a_cron_firing_for_a_connector_disabled_since_queues_nothing(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *", enabled=False)
    assert queue_scheduled_sync(context, "medicen") is None
    assert db.scalars(select(JobRun).where(JobRun.kind == "sync")).all() == []


def test_a_standby_scheduler_queues_nothing_when_a_cron_fires(context, state, db, demo_feeds):
    _configure(state, db, "medicen", demo_feeds.url, schedule="0 3 * * *")
    context.active = lambda: False
    assert queue_scheduled_sync(context, "medicen") is None
