"""Dirty periods: only what changed is recomputed, and only the marks a run saw are cleared."""

from __future__ import annotations

from sqlalchemy import select

from hub.models import DirtyPeriod, JobRun, utcnow
from hub.services.aggregation import aggregate_dirty, aggregate_period
from tests.aggregation.factory import cells


def _federation(factory):
    for index, region in enumerate(("FR-IDF", "FR-IDF", "FR-IDF", "FR-BRE")):
        code = factory.cluster(f"c{index}", region)
        factory.push(code, "2025", [("EVENTS", {}, float(index + 1))], [(f"siren:{index:09d}", "SME")])


def test_a_resubmission_changes_the_figures_it_touches_and_nothing_else(factory, db, base_config):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    before = cells(db, "2025")
    factory.push("c3", "2025", [("EVENTS", {}, 5.0)])
    (result,) = aggregate_dirty(db, config=base_config)
    after = cells(db, "2025")
    assert result.mode == "incremental" and not result.members_recomputed
    assert after[("EVENTS", "national", "FR", "")]["value"] == 1 + 2 + 3 + 5
    assert after[("EVENTS", "region", "FR-BRE", "")]["value"] == 5
    assert after[("EVENTS", "region", "FR-IDF", "")] == before[("EVENTS", "region", "FR-IDF", "")]
    aggregate_period(db, "2025", config=base_config)
    assert cells(db, "2025") == after


def test_a_changed_member_list_recounts_the_members(factory, db, base_config):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    factory.push("c0", "2025", members=[("siren:000000000", "SME"), ("siren:000000001", "SME")])
    (result,) = aggregate_dirty(db, config=base_config)
    assert result.members_recomputed
    assert (
        cells(db, "2025")[("MEMBERS", "national", "FR", "")]["value"] == 4
    )  # the newcomer was already a member


def test_dirty_marks_are_cleared_once_consumed(factory, db, base_config):
    _federation(factory)
    aggregate_dirty(db, config=base_config)
    assert db.scalars(select(DirtyPeriod)).all() == []
    assert aggregate_dirty(db, config=base_config) == []


def test_a_mark_renewed_during_a_run_stays_dirty(factory, db, base_config, monkeypatch):
    _federation(factory)
    from hub.services.aggregation import runs

    seen = runs.dirty_marks

    def renewed_after_reading(session, period=None):
        marks = seen(session, period)
        db.get(DirtyPeriod, ("2025", "c1")).marked_at = utcnow()  # a push lands mid-run
        db.flush()
        return marks

    monkeypatch.setattr(runs, "dirty_marks", renewed_after_reading)
    aggregate_dirty(db, config=base_config)
    assert [mark.cluster_code for mark in db.scalars(select(DirtyPeriod))] == ["c1"]


def test_every_run_is_recorded(factory, db, base_config):
    _federation(factory)
    result = aggregate_period(db, "2025", config=base_config, trigger="api", requested_by="board-1")
    run = db.get(JobRun, result.run_id)
    assert (run.kind, run.period, run.status, run.trigger, run.requested_by) == (
        "aggregate",
        "2025",
        "succeeded",
        "api",
        "board-1",
    )
    assert run.counts["cells"] == result.cells > 0
    assert run.finished_at >= run.started_at
