"""An organisation has one category in a period, in every cell: the most recent list's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.models import Completeness
from hub.services.aggregation import aggregate_dirty, aggregate_period
from tests.aggregation.factory import cells

X, Y = "siren:000000001", "siren:000000002"


def _members(db: Session, period: str = "2025") -> dict[tuple[str, str, str], tuple[float, int]]:
    """(value, contributors) of the member cells by (level, area, dims_key)."""
    return {
        (level, area, dims_key): (cell["value"], cell["contributors"])
        for (indicator, level, area, dims_key), cell in cells(db, period).items()
        if indicator == "MEMBERS"
    }


def test_a_member_a_cluster_relists_in_another_category_counts_in_the_new_one(factory, db, base_config):
    factory.cluster("c0")
    factory.push("c0", "2024", members=[(X, "STARTUP")])
    factory.push("c0", "2025", members=[(X, "SME")])
    aggregate_period(db, "2025", config=base_config)
    found = _members(db)
    assert found[("national", "FR", "category=SME")] == (1, 1)
    assert found[("cluster", "c0", "category=SME")] == (1, 1)
    assert not any(key[2] == "category=STARTUP" for key in found)


def test_when_lists_disagree_the_most_recent_one_decides_in_every_cell(factory, db, base_config):
    factory.cluster("c0", "FR-IDF")
    factory.cluster("c1", "FR-BRE")
    factory.push("c0", "2025", members=[(X, "SME"), (Y, "SME")])
    factory.push("c1", "2025", members=[(X, "LARGE")])
    aggregate_period(db, "2025", config=base_config)
    found = _members(db)
    assert found[("national", "FR", "category=LARGE")] == (1, 2)
    assert found[("national", "FR", "category=SME")] == (1, 1)
    assert found[("region", "FR-IDF", "category=LARGE")] == (1, 1)
    assert found[("region", "FR-IDF", "category=SME")] == (1, 1)
    assert found[("cluster", "c0", "category=LARGE")] == (1, 1)
    assert found[("cluster", "c0", "category=SME")] == (1, 1)
    assert found[("national", "FR", "")] == (2, 2)


def test_a_relisted_category_moves_the_member_in_clusters_that_did_not_change(factory, db, base_config):
    factory.cluster("c0", "FR-IDF")
    factory.cluster("c1", "FR-BRE")
    factory.push("c0", "2025", members=[(X, "SME")])
    factory.push("c1", "2025", members=[(Y, "SME")])
    aggregate_period(db, "2025", config=base_config)
    factory.push("c1", "2025", members=[(X, "LARGE"), (Y, "SME")])
    (result,) = aggregate_dirty(db, config=base_config)
    assert result.mode == "incremental"
    found = _members(db)
    assert found[("cluster", "c0", "category=LARGE")] == (1, 1)
    assert ("cluster", "c0", "category=SME") not in found
    assert found[("region", "FR-IDF", "category=LARGE")] == (1, 1)
    assert ("region", "FR-IDF", "category=SME") not in found


def test_a_period_aggregated_by_an_older_method_is_recomputed_in_full(factory, db, base_config):
    factory.cluster("c0")
    factory.push("c0", "2025", members=[(X, "SME")])
    aggregate_period(db, "2025", config=base_config)
    bookkeeping = db.get(Completeness, ("2025", "MEMBERS"))
    bookkeeping.details = {key: value for key, value in bookkeeping.details.items() if key != "method"}
    factory.push("c0", "2025", members=[(X, "LARGE")])
    (result,) = aggregate_dirty(db, config=base_config)
    assert result.mode == "full"
