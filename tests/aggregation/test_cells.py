"""The aggregates table holds one cell per figure, whatever a run does."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.models import AggregateCell
from hub.services.aggregation import aggregate_period


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
