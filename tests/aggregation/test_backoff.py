"""A period whose aggregation keeps failing is tried less and less often by the scheduler,
not once per pass; new data, a success or an operator's run end the wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.models import DirtyPeriod, JobRun, utcnow
from hub.services.aggregation import AggregationFailed, aggregate_dirty
from hub.services.aggregation.runs import held_back_until

BROKEN = "1999-Q9"  # no such period: every run of it fails
BASE = 60


def _runs(db, *statuses, kind="aggregate", finished=None):
    """Runs of the broken period, oldest first, all finished at ``finished`` (now)."""
    finished = finished or utcnow()
    for status in statuses:
        db.add(JobRun(kind=kind, period=BROKEN, status=status, trigger="scheduler", finished_at=finished))
    db.flush()
    return finished


def _mark(db, at=None):
    db.add(DirtyPeriod(period=BROKEN, cluster_code="medicen", marked_at=at or utcnow() - timedelta(hours=2)))
    db.commit()


def _failed_runs(db) -> int:
    return db.scalar(
        select(func.count()).select_from(JobRun).where(JobRun.period == BROKEN, JobRun.status == "failed")
    )


def _scheduler_pass(db, base_config):
    try:
        return aggregate_dirty(db, config=base_config, backoff_seconds=BASE)
    except AggregationFailed as failed:
        return failed


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(2, 60), (3, 180), (4, 420), (5, 900), (6, 1860), (7, 3600), (12, 3600)],
)
def test_after_failures_in_a_row_the_wait_doubles_in_passes_up_to_an_hour(db, failures, wait):
    last = _runs(db, *["failed"] * failures)
    assert held_back_until(db, BROKEN, [], base_seconds=BASE) == last + timedelta(seconds=wait)


def test_a_period_that_failed_once_is_tried_again_at_the_next_pass(db):
    _runs(db, "failed")
    assert held_back_until(db, BROKEN, [], base_seconds=BASE) is None


def test_a_base_wait_longer_than_an_hour_is_kept(db):
    last = _runs(db, *["failed"] * 5)
    assert held_back_until(db, BROKEN, [], base_seconds=7200) == last + timedelta(seconds=7200)


def test_the_wait_is_over_once_its_time_has_passed(db):
    _runs(db, "failed", "failed", finished=utcnow() - timedelta(seconds=BASE + 1))
    assert held_back_until(db, BROKEN, [], base_seconds=BASE) is None


def test_only_the_failures_since_the_last_success_count(db):
    _runs(db, "failed", "failed", "failed", "succeeded", "failed")
    assert held_back_until(db, BROKEN, [], base_seconds=BASE) is None


def test_a_push_or_pull_since_the_last_failure_ends_the_wait(db):
    last = _runs(db, "failed", "failed", "failed")
    assert held_back_until(db, BROKEN, [("medicen", last + timedelta(seconds=1))], base_seconds=BASE) is None
    assert held_back_until(db, BROKEN, [("medicen", last)], base_seconds=BASE) is not None


def test_the_period_s_pulls_neither_hold_it_back_nor_end_its_wait(db):
    _runs(db, "failed", "failed", kind="sync")
    assert held_back_until(db, BROKEN, [], base_seconds=BASE) is None
    _runs(db, "failed", "failed")
    _runs(db, "succeeded", kind="sync")
    assert held_back_until(db, BROKEN, [], base_seconds=BASE) is not None


def test_the_scheduler_s_passes_skip_a_period_that_keeps_failing(db, base_config):
    _mark(db)
    _scheduler_pass(db, base_config)
    _scheduler_pass(db, base_config)
    assert _failed_runs(db) == 2
    assert _scheduler_pass(db, base_config) == []  # held back: no run, no failure
    assert _failed_runs(db) == 2
    assert [mark.period for mark in db.scalars(select(DirtyPeriod))] == [BROKEN]


def test_a_held_back_period_does_not_hold_back_the_others(db, base_config, factory):
    _mark(db)
    _scheduler_pass(db, base_config)
    _scheduler_pass(db, base_config)
    factory.cluster("c0", "FR-IDF")
    factory.push("c0", "2025", [("EVENTS", {}, 1.0)])
    assert [result.period for result in _scheduler_pass(db, base_config)] == ["2025"]


def test_an_operator_s_run_does_not_wait(db, base_config):
    _mark(db)
    _scheduler_pass(db, base_config)
    _scheduler_pass(db, base_config)
    with pytest.raises(AggregationFailed):
        aggregate_dirty(db, config=base_config, trigger="cli")
    assert _failed_runs(db) == 3
