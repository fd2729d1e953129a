"""Lineage names the rows a cell was computed from, even once newer ones have arrived."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.models import Cluster
from hub.services.aggregation import aggregate_period
from hub.services.aggregation.lineage import lineage


def _lineage(
    db: Session, indicator: str, level: str = "national", area: str = "FR", **dimensions: str
) -> dict[str, Any]:
    return lineage(db, period="2025", indicator=indicator, level=level, area=area, dimensions=dimensions)


def test_lineage_names_the_revision_a_cell_was_computed_from_not_a_newer_one(factory, db, base_config):
    factory.cluster("c0")
    first = factory.push("c0", "2025", [("EVENTS", {}, 4.0)])
    aggregate_period(db, "2025", config=base_config)
    factory.push("c0", "2025", [("EVENTS", {}, 9.0)])  # not aggregated yet
    (entry,) = _lineage(db, "EVENTS")["clusters"]
    assert entry["observation"]["revision"] == 1
    assert entry["observation"]["submission_id"] == first.id
    assert entry["observation"]["value"] == 4.0


def test_lineage_names_the_newer_revision_once_it_is_aggregated(factory, db, base_config):
    factory.cluster("c0")
    factory.push("c0", "2025", [("EVENTS", {}, 4.0)])
    second = factory.push("c0", "2025", [("EVENTS", {}, 9.0)])
    aggregate_period(db, "2025", config=base_config)
    (entry,) = _lineage(db, "EVENTS")["clusters"]
    assert (entry["observation"]["revision"], entry["observation"]["submission_id"]) == (2, second.id)


def test_lineage_names_the_weight_a_weighted_mean_was_computed_with(factory, db, base_config):
    factory.cluster("c0")
    first = factory.push("c0", "2025", [("PRIVATE_FUNDING_RATE", {}, 40.0), ("BUDGET_EUR", {}, 100.0)])
    aggregate_period(db, "2025", config=base_config)
    factory.push("c0", "2025", [("BUDGET_EUR", {}, 0.0)])  # would leave it out, once aggregated
    body = _lineage(db, "PRIVATE_FUNDING_RATE")
    assert body["left_out"] == []
    (entry,) = body["clusters"]
    assert (entry["weight"]["submission_id"], entry["weight"]["value"]) == (first.id, 100.0)


def test_lineage_leaves_out_a_cluster_whose_weight_is_zero_and_says_why(factory, db, base_config):
    factory.cluster("c0")
    factory.cluster("c1")
    factory.push("c0", "2025", [("PRIVATE_FUNDING_RATE", {}, 40.0), ("BUDGET_EUR", {}, 100.0)])
    factory.push("c1", "2025", [("PRIVATE_FUNDING_RATE", {}, 90.0), ("BUDGET_EUR", {}, 0.0)])
    aggregate_period(db, "2025", config=base_config)
    body = _lineage(db, "PRIVATE_FUNDING_RATE")
    assert [entry["cluster"] for entry in body["clusters"]] == ["c0"]
    assert [(entry["cluster"], entry["reason"]) for entry in body["left_out"]] == [
        ("c1", "no positive BUDGET_EUR")
    ]


def test_lineage_of_members_names_the_list_a_cell_was_computed_from(factory, db, base_config):
    factory.cluster("c0")
    first = factory.push("c0", "2025", members=[("siren:000000001", "SME")])
    aggregate_period(db, "2025", config=base_config)
    factory.push("c0", "2025", members=[("siren:000000001", "SME"), ("siren:000000002", "SME")])
    (entry,) = _lineage(db, "MEMBERS")["clusters"]
    assert entry["member_list"] == {"submission_id": first.id, "members": 1}


def test_lineage_of_a_member_category_counts_each_list_in_the_category_of_the_period(
    factory, db, base_config
):
    factory.cluster("c0")
    factory.cluster("c1")
    first = factory.push("c0", "2025", members=[("siren:000000001", "SME")])
    second = factory.push("c1", "2025", members=[("siren:000000001", "LARGE"), ("siren:000000002", "LARGE")])
    aggregate_period(db, "2025", config=base_config)
    assert _lineage(db, "MEMBERS", category="LARGE")["clusters"] == [
        {"cluster": "c0", "member_list": {"submission_id": first.id, "members": 1}},
        {"cluster": "c1", "member_list": {"submission_id": second.id, "members": 2}},
    ]


def test_lineage_of_a_member_category_names_the_list_outside_the_cell_that_set_it(factory, db, base_config):
    factory.cluster("c0", "FR-IDF")
    factory.cluster("c1", "FR-BRE")
    first = factory.push("c0", "2025", members=[("siren:000000001", "SME"), ("siren:000000002", "SME")])
    second = factory.push("c1", "2025", members=[("siren:000000001", "LARGE")])
    aggregate_period(db, "2025", config=base_config)
    body = _lineage(db, "MEMBERS", "region", "FR-IDF", category="LARGE")
    assert body["clusters"] == [{"cluster": "c0", "member_list": {"submission_id": first.id, "members": 1}}]
    assert body["categorised_by"] == [
        {"cluster": "c1", "member_list": {"submission_id": second.id, "members": 1}}
    ]


def test_lineage_names_no_other_list_where_the_cell_s_own_lists_set_the_categories(factory, db, base_config):
    factory.cluster("c0", "FR-IDF")
    factory.cluster("c1", "FR-BRE")
    factory.push("c0", "2025", members=[("siren:000000001", "SME"), ("siren:000000002", "SME")])
    factory.push("c1", "2025", members=[("siren:000000001", "LARGE")])
    aggregate_period(db, "2025", config=base_config)
    assert _lineage(db, "MEMBERS", category="LARGE")["categorised_by"] == []
    assert _lineage(db, "MEMBERS", "region", "FR-IDF", category="SME")["categorised_by"] == []


def test_lineage_places_clusters_where_the_run_counted_them(factory, db, base_config):
    factory.cluster("c0", "FR-IDF")
    factory.push("c0", "2025", [("EVENTS", {}, 4.0)])
    aggregate_period(db, "2025", config=base_config)
    db.execute(update(Cluster).where(Cluster.code == "c0").values(region="FR-BRE"))  # moved, not aggregated
    assert [entry["cluster"] for entry in _lineage(db, "EVENTS", "region", "FR-IDF")["clusters"]] == ["c0"]
