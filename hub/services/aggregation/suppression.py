"""Secondary suppression of a period's stored cells, written back only where a flag changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from hub.models import AggregateCell
from hub.services import disclosure
from schemas.reference import catalogue

AREA_LEVELS = ("national", "region", "theme")


def apply_secondary(
    session: Session,
    period: str,
    settings: disclosure.Settings,
    cluster_areas: Mapping[str, tuple[str, str]],
) -> tuple[int, int]:
    """Recompute the ``D`` flags of ``period``; returns how many cells carry a ``C`` and a ``D``.

    Cluster cells have one contributor each, so with a threshold of two or more they are
    all hidden already (``C``) and no relation through them can single one out: they are
    left out of the walk, which keeps it to the few thousand area cells of a period. Nor
    are they counted row by row: each lies in one region, whose cell counts it among its
    contributors, so the region cells' contributors add up to the cluster cells.
    """
    # The table's columns, not the mapped class's: the rows are plain tuples, and the ORM's
    # per-row loading cost more than the walk itself at the registry's scale.
    table = cast(Table, AggregateCell.__table__)
    columns = table.c
    query = select(
        columns.id,
        columns.indicator_code,
        columns.level,
        columns.area,
        columns.dims_key,
        columns.value,
        columns.status,
        columns.contributors,
    ).where(columns.period == period, columns.indicator_code.in_(sorted(catalogue().indicators)))
    clusters_apart = settings.min_contributors >= 2
    if clusters_apart:  # levels and indicators listed, so that the lookup index is sought, not scanned
        query = query.where(columns.level.in_(AREA_LEVELS))
    cluster_cells = 0
    ids: dict[disclosure.CellKey, int] = {}
    cells: dict[disclosure.CellKey, disclosure.Cell] = {}
    for row_id, indicator, level, area, dims_key, value, status, contributors in session.execute(query):
        key = (indicator, level, area, dims_key)
        if clusters_apart and level == "region":
            cluster_cells += contributors
        ids[key] = row_id
        cells[key] = disclosure.Cell(value, status)
    aggregation = {code: item.aggregation for code, item in catalogue().indicators.items()}
    wanted = disclosure.secondary(cells, aggregation=aggregation, cluster_areas=cluster_areas)
    changes = [
        {"cell_id": ids[key], "new_status": status}
        for key, status in wanted.items()
        if status != cells[key].status
    ]
    if changes:
        session.execute(
            update(table).where(table.c.id == bindparam("cell_id")).values(status=bindparam("new_status")),
            changes,
        )
    primary = cluster_cells + sum(1 for cell in cells.values() if cell.status == "C")
    return primary, sum(1 for status in wanted.values() if status == "D")
