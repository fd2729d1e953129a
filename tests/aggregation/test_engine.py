"""Every aggregate equals an independent brute-force computation on random small federations."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from hub.models import Cluster, Completeness, Indicator
from hub.services.aggregation import aggregate_period
from tests.aggregation.brute_force import Reported, co_members, expected_cells
from tests.aggregation.factory import cells

REGIONS, THEMES = ("FR-IDF", "FR-ARA", "FR-BRE"), ("HEALTH", "DIGITAL")
FUNDERS = ("ANR", "EU", "REGION")
CATEGORIES = ("SME", "LARGE", "RESEARCH")
ORGANISATIONS = [f"siren:{n:09d}" for n in range(10)]

amount = st.integers(min_value=0, max_value=1000).map(float)


@st.composite
def cluster_data(draw: st.DrawFn) -> Reported:
    reported = Reported(region=draw(st.sampled_from(REGIONS)), theme=draw(st.sampled_from(THEMES)))
    if draw(st.booleans()):
        reported.values[("PROJECTS_FUNDED", "")] = draw(amount)
    for funder in draw(st.sets(st.sampled_from(FUNDERS))):
        reported.values[("PROJECTS_FUNDED", f"funder={funder}")] = draw(amount)
    if draw(st.booleans()):  # missing weights leave the cluster out of the weighted mean
        reported.values[("BUDGET_EUR", "")] = draw(amount)
    for indicator in ("PRIVATE_FUNDING_RATE", "MEMBER_SATISFACTION", "EVENTS", "INTERNATIONAL_ACTIONS"):
        if draw(st.booleans()):
            reported.values[(indicator, "")] = float(draw(st.integers(0, 10)))
    if draw(st.booleans()):
        # Each cluster gives each member a category of its own: clusters often disagree.
        reported.members = draw(
            st.dictionaries(st.sampled_from(ORGANISATIONS), st.sampled_from(CATEGORIES), max_size=8)
        )
    return reported


federations = st.lists(cluster_data(), min_size=1, max_size=7)


def push(factory, code: str, data: Reported) -> None:
    values = [(ind, dict([key.split("=")]) if key else {}, v) for (ind, key), v in data.values.items()]
    factory.push(code, "2025", values, None if data.members is None else sorted(data.members.items()))


def federate(factory, clusters: dict[str, Reported]) -> None:
    """Register and push ``clusters``, in order."""
    for code, data in clusters.items():
        factory.cluster(code, data.region, data.theme)
        push(factory, code, data)
    with_min_and_max(factory.session)


def assert_brute_force_figures(session, clusters: dict[str, Reported]) -> None:
    """The period's stored cells are exactly the brute-force ones, with their values and contributors."""
    stored = cells(session, "2025")
    expected = expected_cells(clusters)
    assert set(stored) == set(expected)
    for key, (value, contributors, _largest) in expected.items():
        assert stored[key]["value"] == pytest.approx(value), key
        assert stored[key]["contributors"] == contributors, key


def with_min_and_max(session) -> None:
    """The catalogue ships no min or max indicator: two sums stand in for them here."""
    for code, aggregation in (("EVENTS", "max"), ("INTERNATIONAL_ACTIONS", "min")):
        session.execute(update(Indicator).where(Indicator.code == code).values(aggregation=aggregation))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(federation=federations, silent=st.integers(min_value=0, max_value=2))
def test_every_aggregate_equals_a_brute_force_computation(fresh_factory, base_config, federation, silent):
    clusters = {f"c{index}": data for index, data in enumerate(federation)}
    with fresh_factory() as factory:
        federate(factory, clusters)
        for index in range(silent):  # expected, never reported
            factory.cluster(f"silent{index}")
        aggregate_period(factory.session, "2025", config=base_config)

        assert_brute_force_figures(factory.session, clusters)
        members = factory.session.get(Completeness, ("2025", "MEMBERS"))
        assert members is not None
        assert members.details["co_members"] == co_members(clusters)
        assert members.reported == sum(1 for data in clusters.values() if data.members is not None)
        assert members.expected == len(clusters) + silent
        assert {f"silent{index}" for index in range(silent)} <= set(members.missing)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=federations,
    second=federations,
    places=st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(THEMES)), min_size=7, max_size=7),
)
def test_a_rerun_after_clusters_move_and_resubmit_equals_a_brute_force_computation(
    fresh_factory, base_config, first, second, places
):
    """A run rewrites the stored cells: a figure that is gone (a region or theme left empty, a
    category no list gives any more) must leave no cell behind, nor count in the nation."""
    clusters = {f"c{index}": data for index, data in enumerate(first)}
    with fresh_factory() as factory:
        federate(factory, clusters)
        aggregate_period(factory.session, "2025", config=base_config)
        kept, relisted = {}, {}  # in the order the current lists arrived
        for index, (code, before) in enumerate(clusters.items()):
            region, theme = places[index]  # as many places as clusters at most
            after = second[index] if index < len(second) else Reported(region, theme)
            moved = update(Cluster).where(Cluster.code == code).values(region=region, theme=theme)
            factory.session.execute(moved)
            push(factory, code, after)
            listed = before.members if after.members is None else after.members
            merged = Reported(region, theme, {**before.values, **after.values}, listed)
            (kept if after.members is None else relisted)[code] = merged
        aggregate_period(factory.session, "2025", config=base_config)

        assert_brute_force_figures(factory.session, {**kept, **relisted})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(federation=federations)
def test_primary_suppression_follows_the_contributor_and_dominance_rules(
    fresh_factory, base_config, federation
):
    clusters = {f"c{index}": data for index, data in enumerate(federation)}
    with fresh_factory() as factory:
        federate(factory, clusters)
        aggregate_period(factory.session, "2025", config=base_config)
        stored = cells(factory.session, "2025")
        for key, (value, contributors, largest) in expected_cells(clusters).items():
            additive = key[0] in ("PROJECTS_FUNDED", "BUDGET_EUR", "MEMBERS")
            primary = contributors < 3 or (additive and value > 0 and largest > 0.85 * value)
            assert (stored[key]["status"] == "C") == primary, key


def test_weighted_mean_leaves_out_clusters_without_a_weight_and_says_so(factory, db, base_config):
    for code in ("a", "b", "c", "d"):
        factory.cluster(code)
    factory.push("a", "2025", [("PRIVATE_FUNDING_RATE", {}, 10.0), ("BUDGET_EUR", {}, 100.0)])
    factory.push("b", "2025", [("PRIVATE_FUNDING_RATE", {}, 40.0), ("BUDGET_EUR", {}, 300.0)])
    factory.push("c", "2025", [("PRIVATE_FUNDING_RATE", {}, 90.0)])
    factory.push("d", "2025", [("PRIVATE_FUNDING_RATE", {}, 70.0), ("BUDGET_EUR", {}, 0.0)])
    aggregate_period(db, "2025", config=base_config)
    national = cells(db, "2025")[("PRIVATE_FUNDING_RATE", "national", "FR", "")]
    assert national["value"] == pytest.approx((10 * 100 + 40 * 300) / 400)
    assert national["contributors"] == 2
    row = db.scalars(
        select(Completeness).filter_by(period="2025", indicator_code="PRIVATE_FUNDING_RATE")
    ).one()
    assert row.details["left_out"]["clusters"] == ["c", "d"]


def test_a_cluster_reporting_unexpected_is_named_not_counted_as_reported(factory, db, base_config):
    for code, value in (("c0", 2.0), ("gone", 3.0)):
        factory.cluster(code)
        factory.push(code, "2025", [("EVENTS", {}, value)])
    db.execute(update(Cluster).where(Cluster.code == "gone").values(active=False))
    aggregate_period(db, "2025", config=base_config)
    events = db.get(Completeness, ("2025", "EVENTS"))
    assert (events.expected, events.reported, events.missing) == (1, 1, [])
    assert events.details["unexpected"] == ["gone"]
    assert cells(db, "2025")[("EVENTS", "national", "FR", "")]["value"] == 5.0  # its figure still counts


def test_a_cluster_is_expected_in_every_period_its_activity_window_touches(factory, db, base_config):
    windows = {
        "starts_on_the_last_day": (date(2025, 12, 31), None),
        "ends_on_the_first_day": (None, date(2025, 1, 1)),
        "ended_the_day_before": (None, date(2024, 12, 31)),
        "starts_the_day_after": (date(2026, 1, 1), None),
    }
    for code, (active_from, active_to) in windows.items():
        factory.cluster(code)
        db.execute(
            update(Cluster).where(Cluster.code == code).values(active_from=active_from, active_to=active_to)
        )
    factory.push(factory.cluster("reporter"), "2025", [("EVENTS", {}, 1.0)])
    aggregate_period(db, "2025", config=base_config)
    events = db.get(Completeness, ("2025", "EVENTS"))
    assert (events.expected, events.missing) == (3, ["ends_on_the_first_day", "starts_on_the_last_day"])


def test_the_last_year_a_period_can_name_is_aggregated(factory, db, base_config):
    factory.push(factory.cluster("a"), "9999", [("EVENTS", {}, 1.0)])
    aggregate_period(db, "9999", config=base_config)
    events = db.get(Completeness, ("9999", "EVENTS"))
    assert (events.expected, events.reported) == (1, 1)


def test_completeness_reports_the_change_against_the_previous_period(factory, db, base_config):
    factory.cluster("a")
    factory.push("a", "2024", [("EVENTS", {}, 10.0)])
    factory.push("a", "2025", [("EVENTS", {}, 15.0)])
    aggregate_period(db, "2024", config=base_config)
    aggregate_period(db, "2025", config=base_config)
    row = db.get(Completeness, ("2025", "EVENTS"))
    assert row.details["change"] == {
        "previous_period": "2024",
        "previous_value": 10.0,
        "value": 15.0,
        "difference": 5.0,
        "ratio": 0.5,
    }


def test_the_change_against_the_previous_period_compares_totals_not_breakdowns(factory, db, base_config):
    factory.cluster("a")
    for period, total, anr in (("2024", 10.0, 3.0), ("2025", 15.0, 4.0)):
        factory.push(
            "a", period, [("PROJECTS_FUNDED", {}, total), ("PROJECTS_FUNDED", {"funder": "ANR"}, anr)]
        )
        aggregate_period(db, period, config=base_config)
    change = db.get(Completeness, ("2025", "PROJECTS_FUNDED")).details["change"]
    assert (change["previous_value"], change["value"]) == (10.0, 15.0)
