"""The attacker: from every published cell of every table, recover hidden cells by subtraction."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from hub.services.aggregation import aggregate_period
from hub.services.disclosure import PRIMARY_STATUS_SQL, Settings, ministry_view, primary_status
from tests.aggregation.factory import cells

REGIONS, THEMES, FUNDERS = (
    ("FR-IDF", "FR-ARA", "FR-BRE"),
    ("HEALTH", "DIGITAL", "ENERGY"),
    ("ANR", "EU", "REGION"),
)


def published_equations(stored, clusters):
    """Every total = sum of parts a reader can write from the table's own structure,
    worked out here independently of the engine."""
    equations = []
    by_indicator = defaultdict(list)
    for key in stored:
        by_indicator[key[0]].append(key)
    for indicator, keys in by_indicator.items():
        areas = {(level, area) for _, level, area, _ in keys}
        dims = {dims_key for *_, dims_key in keys}
        for level, area in areas:  # a total and its dimension codes
            parts = [(indicator, level, area, d) for d in dims if d]
            equations.append(((indicator, level, area, ""), parts))
        if indicator == "MEMBERS":
            continue  # co-members: areas do not add up to national
        for dims_key in dims:
            for level in ("region", "theme"):
                parts = [k for k in keys if k[1] == level and k[3] == dims_key]
                equations.append(((indicator, "national", "FR", dims_key), parts))
            for region, theme in set(clusters.values()):
                for level, area in (("region", region), ("theme", theme)):
                    parts = [
                        (indicator, "cluster", c, dims_key)
                        for c, areas_of_c in clusters.items()
                        if areas_of_c[0 if level == "region" else 1] == area
                    ]
                    equations.append(((indicator, level, area, dims_key), parts))
    return equations


def attack(stored, clusters):
    """Solve every equation with one unknown, again and again; returns the recovered cells."""
    known = {key: cell["value"] for key, cell in stored.items() if cell["status"] == "A"}
    equations = published_equations(stored, clusters)
    recovered = set()
    progress = True
    while progress:
        progress = False
        for total, all_parts in equations:
            parts = [key for key in all_parts if key in stored]  # an absent cell is a known zero
            if total not in stored or not parts:
                continue
            unknown = [key for key in [total, *parts] if key not in known]
            if len(unknown) != 1:
                continue
            (hidden,) = unknown
            others = sum(known[key] for key in parts if key != hidden)
            known[hidden] = others if hidden == total else known[total] - others
            recovered.add(hidden)
            progress = True
    return recovered


amount = st.integers(min_value=1, max_value=100).map(float)
cluster_rows = st.lists(
    st.tuples(
        st.sampled_from(REGIONS),
        st.sampled_from(THEMES),
        amount,
        st.dictionaries(st.sampled_from(FUNDERS), amount),
        st.sets(st.integers(0, 11), max_size=6),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=cluster_rows)
def test_no_suppressed_cell_can_be_recovered_by_subtraction(fresh_factory, base_config, rows):
    clusters = {f"c{index}": (region, theme) for index, (region, theme, *_rest) in enumerate(rows)}
    with fresh_factory() as factory:
        for index, (region, theme, total, funders, members) in enumerate(rows):
            code = factory.cluster(f"c{index}", region, theme)
            values = [("PROJECTS_FUNDED", {}, total)] + [
                ("PROJECTS_FUNDED", {"funder": f}, v) for f, v in funders.items()
            ]
            listed = [(f"siren:{n:09d}", ("SME", "LARGE")[n % 2]) for n in members]
            factory.push(code, "2025", values, listed)
        aggregate_period(factory.session, "2025", config=base_config)
        stored = cells(factory.session, "2025")
        hidden = {key for key, cell in stored.items() if cell["status"] != "A"}
        assert not attack(stored, clusters) & hidden


def test_a_lone_suppressed_region_gets_a_secondary_partner(factory, db, base_config):
    for index in range(4):
        factory.cluster(f"idf{index}", "FR-IDF", "HEALTH")
        factory.push(f"idf{index}", "2025", [("EVENTS", {}, 10.0)])
    factory.cluster("bre", "FR-BRE", "HEALTH")
    factory.push("bre", "2025", [("EVENTS", {}, 10.0)])
    aggregate_period(db, "2025", config=base_config)
    stored = cells(db, "2025")
    assert stored[("EVENTS", "region", "FR-BRE", "")]["status"] == "C"
    assert stored[("EVENTS", "region", "FR-IDF", "")]["status"] == "D"


def test_a_contributor_of_exactly_the_dominance_share_is_not_dominant(factory, db, base_config):
    """DESIGN.md: a contributor *above* 0.85 of the total is dominant (the property test
    covers those above); one at exactly 0.85 leaves the cell published."""
    for index, share in enumerate((85.0, 10.0, 5.0)):
        factory.push(factory.cluster(f"c{index}"), "2025", [("EVENTS", {}, share)])
    aggregate_period(db, "2025", config=base_config)
    assert cells(db, "2025")[("EVENTS", "national", "FR", "")]["status"] == "A"


@pytest.mark.parametrize(
    ("value", "contributors", "largest", "aggregation"),
    [
        (100.0, 3, 85.0, "sum"),  # exactly the dominance share
        (100.0, 3, 86.0, "sum"),
        (20.0, 3, 17.0, "distinct_members"),
        (20.0, 3, 18.0, "distinct_members"),
        (100.0, 3, 86.0, "mean"),  # dominance applies to additive figures only
        (0.0, 3, 0.0, "sum"),
        (100.0, 2, 40.0, "sum"),  # below the contributor threshold
    ],
)
def test_the_primary_rule_of_incremental_runs_agrees_with_the_one_in_sql(
    db, value, contributors, largest, aggregation
):
    """Incremental runs flag the member cells they build in Python; full runs in SQL."""
    rules = Settings()
    in_sql = db.execute(
        text(
            f"SELECT {PRIMARY_STATUS_SQL} FROM (SELECT :value AS value, :contributors AS contributors,"
            " :largest AS max_contribution, :agg AS agg) cell"
        ),
        {
            "value": value,
            "contributors": contributors,
            "largest": largest,
            "agg": aggregation,
            "min_contributors": rules.min_contributors,
            "dominance": rules.dominance,
        },
    ).scalar_one()
    assert primary_status(value, contributors, largest, aggregation, rules) == in_sql


def test_the_ministry_view_nulls_every_suppressed_value():
    board = [
        {"indicator": "EVENTS", "value": 10.0, "status": "A"},
        {"indicator": "EVENTS", "value": 3.0, "status": "C"},
        {"indicator": "EVENTS", "value": 7.0, "status": "D"},
    ]
    assert [cell["value"] for cell in ministry_view(board)] == [10.0, None, None]
    assert [cell["status"] for cell in ministry_view(board)] == ["A", "C", "D"]
