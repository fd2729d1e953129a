"""The aggregates table holds one cell per figure, whatever a run does."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from hub.models import AggregateCell
from hub.services.aggregation import aggregate_period, observed
from tests.aggregation.factory import cells


def test_the_database_refuses_a_second_cell_for_the_same_figure(factory, db, base_config):
    factory.cluster("c0")
    factory.push("c0", "2025", [("EVENTS", {}, 4.0)])
    aggregate_period(db, "2025", config=base_config)
    cell = db.scalars(select(AggregateCell).where(AggregateCell.level == "national")).first()
    assert cell is not None
    twin = {
        column: getattr(cell, column) for column in ("period", "indicator_code", "level", "area", "dims_key")
    }
    db.add(
        AggregateCell(
            **twin, dimensions={}, value=1.0, contributors=1, status="A", computed_at=cell.computed_at
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def test_a_rerun_rewrites_each_cell_in_place_stamped_with_its_run(factory, db, base_config):
    """Updating the stored cells, not deleting and inserting them, spares the lookup index
    (a third of a run at scale 50); every figure still says which run computed it, and when."""
    factory.cluster("c0")
    factory.cluster("c1", region="FR-BRE")
    factory.push("c0", "2025", [("EVENTS", {}, 4.0)], [("siren:000000001", "SME")])
    factory.push("c1", "2025", [("EVENTS", {}, 6.0)], [("siren:000000001", "SME")])
    factory.push("c0", "2026", [("EVENTS", {}, 5.0)])
    first = aggregate_period(db, "2025", config=base_config)
    aggregate_period(db, "2026", config=base_config)  # its cells come after 2025's in the table
    in_2025 = select(AggregateCell).where(AggregateCell.period == "2025")
    before = {row.id: row.computed_at for row in db.scalars(in_2025)}
    second = aggregate_period(db, "2025", config=base_config)
    after = db.scalars(in_2025).all()
    assert {row.id for row in after} == set(before)
    assert {row.run_id for row in after} == {second.run_id} != {first.run_id}
    assert all(row.computed_at > before[row.id] for row in after)


def test_a_run_that_computes_a_figure_twice_fails_and_keeps_the_stored_cells(
    factory, db, base_config, monkeypatch
):
    factory.cluster("c0")
    factory.push("c0", "2025", [("EVENTS", {}, 4.0)])
    aggregate_period(db, "2025", config=base_config)
    db.commit()
    stored = cells(db, "2025")
    one = "SELECT 'EVENTS' AS indicator, 'sum' AS agg, '' AS dims_key, 'region' AS level, 'FR-IDF' AS area,"
    one += " 1.0 AS value, 1 AS contributors, 1.0 AS max_contribution"
    monkeypatch.setattr(observed, "cells_cte", lambda scope: f"cells AS ({one} UNION ALL {one})")
    with pytest.raises(DBAPIError):
        aggregate_period(db, "2025", config=base_config)
    assert cells(db, "2025") == stored


def test_a_full_run_repairs_every_column_a_stored_cell_holds(factory, db, base_config):
    factory.cluster("c0")
    factory.push("c0", "2025", [("PROJECTS_FUNDED", {"funder": "ANR"}, 4.0)])
    aggregate_period(db, "2025", config=base_config)
    columns = ("dimensions", "value", "contributors", "max_contribution", "status")

    def stored():
        return {
            row.id: [getattr(row, column) for column in columns] for row in db.scalars(select(AggregateCell))
        }

    computed = stored()
    db.execute(
        update(AggregateCell).values(
            dimensions={"funder": "EU"}, value=99.0, contributors=7, max_contribution=1.0, status="D"
        )
    )
    aggregate_period(db, "2025", config=base_config)
    assert stored() == computed
