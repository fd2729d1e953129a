"""What a scheduler process does around its jobs: it runs them only while it holds the lease,
keeps a job's failure from reaching APScheduler, and refuses new jobs once stopping has begun."""

from __future__ import annotations

import logging
import threading

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from hub.state import HubState
from jobs import scheduler
from jobs.definitions import JobContext, JobSpec
from jobs.lease import acquire


def _job(calls: list[str], action=None) -> JobSpec:
    def run(context: JobContext) -> None:
        calls.append("ran")
        if action:
            action()

    return JobSpec("probe", run, lambda config: IntervalTrigger(seconds=60))


@pytest.fixture
def leadership(state: HubState) -> scheduler.Leadership:
    return scheduler.Leadership(state)


def _guarded(state, leadership, spec, running=None):
    return scheduler._guarded(
        leadership, running or scheduler.Running(), spec, JobContext(state=state, pool=None)
    )


def test_a_scheduler_that_takes_the_lease_becomes_active(leadership):
    leadership.beat()
    assert leadership.active


def test_a_scheduler_stands_by_while_another_holds_the_lease(leadership, db):
    acquire(db, "another", ttl_seconds=30)
    db.commit()
    leadership.beat()
    assert not leadership.active


def test_a_scheduler_that_cannot_reach_the_database_stands_by(leadership, monkeypatch):
    leadership.beat()

    def unreachable(*args, **kwargs):
        raise ConnectionError("database gone")

    monkeypatch.setattr(scheduler.lease, "acquire", unreachable)
    leadership.beat()
    assert not leadership.active


def test_a_job_does_nothing_while_its_scheduler_stands_by(state, leadership):
    calls: list[str] = []
    _guarded(state, leadership, _job(calls))()
    assert calls == []


def test_a_job_runs_while_its_scheduler_holds_the_lease(state, leadership):
    calls: list[str] = []
    leadership.beat()
    _guarded(state, leadership, _job(calls))()
    assert calls == ["ran"]


def test_a_failing_job_is_logged_under_its_id_and_goes_no_further(state, leadership, caplog):
    def fail() -> None:
        raise RuntimeError("feed on fire")

    leadership.beat()
    with caplog.at_level(logging.ERROR, logger=scheduler.log.name):
        _guarded(state, leadership, _job([], fail))()
    assert "job probe failed" in caplog.text


def test_no_job_starts_once_stopping_has_begun(state, leadership):
    calls: list[str] = []
    running = scheduler.Running()
    running.stop()
    leadership.beat()
    _guarded(state, leadership, _job(calls), running)()
    assert calls == []


def test_stopping_waits_for_the_running_job(state, leadership):
    running, inside, finished = scheduler.Running(), threading.Event(), []
    release = threading.Event()

    def hold() -> None:
        inside.set()
        release.wait(timeout=10)
        finished.append(True)

    leadership.beat()
    worker = threading.Thread(target=_guarded(state, leadership, _job([], hold), running))
    worker.start()
    assert inside.wait(timeout=10)
    stopper = threading.Thread(target=running.stop)
    stopper.start()
    stopper.join(timeout=0.3)
    assert stopper.is_alive()  # still waiting for the job
    release.set()
    stopper.join(timeout=10)
    worker.join(timeout=10)
    assert finished == [True] and not stopper.is_alive()
