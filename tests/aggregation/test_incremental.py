"""Dirty periods: only what changed is recomputed, and only the marks a run saw are cleared."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from hub.models import AggregateCell, Completeness, DirtyPeriod, JobRun, utcnow
from hub.services import registry
from hub.services.aggregation import AggregationFailed, aggregate_dirty, aggregate_period
from schemas.reference import ClusterEntry
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


def test_an_incremental_run_asks_every_cluster_about_an_indicator_the_last_run_did_not_cover(
    factory, db, base_config
):
    """As for an indicator the catalogue gained since: who did not report it is not known yet
    for the clusters that did not push, so they are asked too."""
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    db.execute(delete(Completeness).where(Completeness.indicator_code == "BUDGET_EUR"))
    factory.push("c3", "2025", [("EVENTS", {}, 5.0)])
    aggregate_dirty(db, config=base_config)
    assert db.get(Completeness, ("2025", "BUDGET_EUR")).missing == ["c0", "c1", "c2", "c3"]


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


def test_a_period_whose_run_fails_does_not_hold_back_the_other_dirty_periods(factory, db, base_config):
    _federation(factory)
    db.add(DirtyPeriod(period="1999-Q9", cluster_code="c0", marked_at=utcnow()))  # no such period
    db.commit()  # as the pushes would have been: the failed run rolls back its own work only
    with pytest.raises(AggregationFailed) as failed:
        aggregate_dirty(db, config=base_config)
    assert list(failed.value.failures) == ["1999-Q9"]
    assert [result.period for result in failed.value.results] == ["2025"]
    assert cells(db, "2025")[("EVENTS", "national", "FR", "")]["value"] == 10.0
    statuses = db.execute(select(JobRun.period, JobRun.status).where(JobRun.kind == "aggregate")).all()
    assert sorted(statuses) == [("1999-Q9", "failed"), ("2025", "succeeded")]
    assert [mark.period for mark in db.scalars(select(DirtyPeriod))] == ["1999-Q9"]


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


lists = st.lists(st.sets(st.integers(0, 9), max_size=6), min_size=2, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=lists,
    changes=st.dictionaries(st.integers(0, 5), st.sets(st.integers(0, 9), max_size=6), max_size=3),
)
def test_an_incremental_run_ends_where_a_full_run_would(fresh_factory, base_config, first, changes):
    regions = ("FR-IDF", "FR-BRE", "FR-IDF", "FR-ARA", "FR-BRE", "FR-IDF")
    themes = ("HEALTH", "HEALTH", "DIGITAL", "DIGITAL", "ENERGY", "HEALTH")

    def members(chosen, index, version=0):
        """Odd organisations get a category of each cluster's own, which its next list changes."""
        shift = index + version
        return [
            (f"siren:{n:09d}", ("SME", "LARGE", "RESEARCH")[(n + shift * (n % 2)) % 3])
            for n in sorted(chosen)
        ]

    def figures(size, index, left=0):
        """A sum with a dimension, a mean, and a weighted mean whose weight may be missing (0),
        less the last ``left`` of them (not reported yet)."""
        return [
            ("EVENTS", {}, float(size)),
            ("PROJECTS_FUNDED", {"funder": "ANR"}, float(size + index)),
            ("MEMBER_SATISFACTION", {}, float((3 * size + index) % 11)),
            ("BUDGET_EUR", {}, float(index % 3)),
            ("PRIVATE_FUNDING_RATE", {}, float(10 * size % 101)),
        ][: 5 - left]

    with fresh_factory() as factory:
        session = factory.session
        for index, chosen in enumerate(first):
            factory.cluster(f"c{index}", regions[index], themes[index])
            factory.push(
                f"c{index}", "2025", figures(len(chosen), index, left=index % 3), members(chosen, index)
            )
        aggregate_period(session, "2025", config=base_config)
        for index, chosen in changes.items():
            if index < len(first):
                factory.push(f"c{index}", "2025", figures(len(chosen), index + 1), members(chosen, index, 1))
        aggregate_dirty(session, config=base_config)
        incremental = cells(session, "2025"), _completeness(session)
        aggregate_period(session, "2025", config=base_config)
        assert incremental == (cells(session, "2025"), _completeness(session))


def _completeness(session):
    """Every completeness figure of the period, without the run's id and time."""
    return {
        row.indicator_code: (row.expected, row.reported, row.missing, row.details)
        for row in session.scalars(select(Completeness).where(Completeness.period == "2025"))
    }


def _written_and_flags(db, run_id):
    rows = db.execute(
        select(AggregateCell.run_id, AggregateCell.status).where(AggregateCell.period == "2025")
    )
    runs, statuses = zip(*rows.all(), strict=True)
    return runs.count(run_id), statuses.count("C"), statuses.count("D")


def test_a_run_counts_the_cells_it_wrote_and_the_flags_of_the_period(factory, db, base_config):
    _federation(factory)
    full = aggregate_period(db, "2025", config=base_config)
    assert (full.cells, full.primary, full.secondary) == _written_and_flags(db, full.run_id)
    factory.push("c1", "2025", [("EVENTS", {}, 9.0)], [("siren:000000009", "LARGE")])
    (incremental,) = aggregate_dirty(db, config=base_config)
    assert incremental.members_recomputed
    assert (incremental.cells, incremental.primary, incremental.secondary) == _written_and_flags(
        db, incremental.run_id
    )


def test_moving_a_cluster_to_another_region_recomputes_the_period_in_full(factory, db, base_config):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    registry.update_cluster(db, "c1", region="FR-BRE")
    (result,) = aggregate_dirty(db, config=base_config)
    moved = cells(db, "2025")
    assert result.mode == "full"
    assert moved[("EVENTS", "national", "FR", "")]["value"] == 1 + 2 + 3 + 4
    assert moved[("EVENTS", "region", "FR-IDF", "")]["value"] == 1 + 3
    assert moved[("EVENTS", "region", "FR-BRE", "")]["value"] == 2 + 4
    aggregate_period(db, "2025", config=base_config)
    assert cells(db, "2025") == moved


def test_a_registry_change_to_what_the_figures_depend_on_marks_the_aggregated_periods(
    factory, db, base_config
):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    registry.update_cluster(db, "c2", name="Renamed", description="only words")
    assert db.scalars(select(DirtyPeriod)).all() == []
    registry.update_cluster(db, "c2", active=False)
    registry.add_cluster(db, code="c9", name="New", region="FR-ARA", theme="HEALTH")
    assert sorted((mark.period, mark.cluster_code) for mark in db.scalars(select(DirtyPeriod))) == [
        ("2025", "c2"),
        ("2025", "c9"),
    ]
    aggregate_dirty(db, config=base_config)
    members = db.get(Completeness, ("2025", "MEMBERS"))
    assert (members.expected, members.missing) == (4, ["c9"])  # c2 no longer expected, c9 now


@pytest.mark.parametrize(
    "change",
    [
        {"region": "FR-ARA"},
        {"theme": "DIGITAL"},
        {"active_from": date(2025, 3, 1)},
        {"active_to": date(2025, 6, 30)},
    ],
)
def test_a_change_to_where_a_cluster_counts_or_when_it_is_expected_marks_the_periods(
    factory, db, base_config, change
):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    registry.update_cluster(db, "c2", **change)
    assert [(mark.period, mark.cluster_code) for mark in db.scalars(select(DirtyPeriod))] == [("2025", "c2")]


def test_a_registry_update_that_changes_no_value_marks_nothing(factory, db, base_config):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    registry.update_cluster(db, "c2", region="FR-IDF", theme="HEALTH", active=True)
    assert db.scalars(select(DirtyPeriod)).all() == []


def test_a_cluster_a_newer_shipped_registry_adds_marks_the_aggregated_periods(
    factory, db, base_config, monkeypatch
):
    _federation(factory)
    aggregate_period(db, "2025", config=base_config)
    shipped = registry.registry()
    newcomer = ClusterEntry("newcomer", "Newcomer", "FR-ARA", "HEALTH", ("HEALTH",), "", None, None)
    monkeypatch.setattr(registry, "registry", lambda: (*shipped, newcomer))
    assert registry.load_reference_data(db)["clusters"] == 1
    assert [(mark.period, mark.cluster_code) for mark in db.scalars(select(DirtyPeriod))] == [
        ("2025", "newcomer")
    ]
    aggregate_dirty(db, config=base_config)
    assert "newcomer" in db.get(Completeness, ("2025", "MEMBERS")).missing
