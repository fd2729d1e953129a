"""Secondary suppression of a period's stored cells, written back only where a flag changes."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from hub.models import AggregateCell, Cluster
from hub.services import disclosure
from schemas.reference import catalogue


def apply_secondary(session: Session, period: str, settings: disclosure.Settings) -> tuple[int, int]:
    """Recompute the ``D`` flags of ``period``; returns how many cells carry a ``C`` and a ``D``.

    Cluster cells have one contributor each, so with a threshold of two or more they are
    all hidden already (``C``) and no relation through them can single one out: they are
    left out of the walk, which keeps it to the few thousand area cells of a period, and
    only counted, from the lookup index alone.
    """
    query = select(
        AggregateCell.id,
        AggregateCell.indicator_code,
        AggregateCell.level,
        AggregateCell.area,
        AggregateCell.dims_key,
        AggregateCell.value,
        AggregateCell.status,
    ).where(AggregateCell.period == period)
    clusters_apart = settings.min_contributors >= 2
    if clusters_apart:
        query = query.where(AggregateCell.level != "cluster")
    ids: dict[disclosure.CellKey, int] = {}
    cells: dict[disclosure.CellKey, disclosure.Cell] = {}
    for row_id, indicator, level, area, dims_key, value, status in session.execute(query):
        key = (indicator, level, area, dims_key)
        ids[key] = row_id
        cells[key] = disclosure.Cell(value, status)
    cluster_areas = {
        code: (region, theme)
        for code, region, theme in session.execute(select(Cluster.code, Cluster.region, Cluster.theme))
    }
    aggregation = {code: item.aggregation for code, item in catalogue().indicators.items()}
    wanted = disclosure.secondary(cells, aggregation=aggregation, cluster_areas=cluster_areas)
    changes = [
        {"cell_id": ids[key], "new_status": status}
        for key, status in wanted.items()
        if status != cells[key].status
    ]
    if changes:
        table = cast(Table, AggregateCell.__table__)
        session.execute(
            update(table).where(table.c.id == bindparam("cell_id")).values(status=bindparam("new_status")),
            changes,
        )
    primary = sum(1 for cell in cells.values() if cell.status == "C")
    if clusters_apart:
        primary += session.execute(
            select(func.count()).where(AggregateCell.period == period, AggregateCell.level == "cluster")
        ).scalar_one()
    return primary, sum(1 for status in wanted.values() if status == "D")
