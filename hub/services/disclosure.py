"""Statistical disclosure control of aggregate cells (French statistical-secrecy rules).

Primary suppression (``C``) is decided in SQL as the cells are written: too few
contributors, or one contributor holding more than the dominance share of an additive
total. Secondary suppression (``D``) then walks every additive relation a reader could
subtract with (a total and its dimension codes; national and its regions, national and
its themes; a region or theme and its clusters) and hides one more cell wherever exactly
one cell of a relation is hidden, until no relation has a single hidden cell: with two or
more unknowns in every relation, subtraction recovers nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.config import Config

ADDITIVE = ("sum", "distinct_members")
SUPPRESSED = ("C", "D")

# Columns of the cells being written: contributors, value, max_contribution, agg.
PRIMARY_STATUS_SQL = (
    "CASE WHEN contributors < :min_contributors"
    " OR (agg IN ('sum', 'distinct_members') AND value > 0 AND max_contribution > :dominance * value)"
    " THEN 'C' ELSE 'A' END"
)


def primary_status(
    value: float, contributors: int, largest: float, aggregation: str, settings: Settings
) -> str:
    """``PRIMARY_STATUS_SQL`` for the few cells an incremental run builds outside a statement."""
    dominated = aggregation in ADDITIVE and value > 0 and largest > settings.dominance * value
    return "C" if contributors < settings.min_contributors or dominated else "A"


@dataclass(frozen=True)
class Settings:
    min_contributors: int = 3
    dominance: float = 0.85

    @classmethod
    def of(cls, config: Config) -> Settings:
        return cls(config.disclosure_min_contributors, config.disclosure_dominance)


CellKey = tuple[str, str, str, str]  # indicator, level, area, dims_key


@dataclass(frozen=True)
class Cell:
    value: float | None
    status: str


def relations(
    cells: Iterable[CellKey],
    *,
    aggregation: Mapping[str, str],
    cluster_areas: Mapping[str, tuple[str, str]],
) -> list[tuple[CellKey, list[CellKey]]]:
    """Every (total, parts) equation a reader of the table could subtract with."""
    keys = list(cells)
    found: list[tuple[CellKey, list[CellKey]]] = []
    by_dimension: dict[tuple[str, str, str, str], list[CellKey]] = defaultdict(list)
    by_area: dict[tuple[str, str, tuple[str, str, str]], list[CellKey]] = defaultdict(list)
    for key in keys:
        indicator, level, area, dims_key = key
        if aggregation.get(indicator) not in ADDITIVE:
            continue
        if dims_key and "," not in dims_key:
            by_dimension[(indicator, level, area, dims_key.split("=", 1)[0])].append(key)
        if aggregation[indicator] == "sum":
            for parent in _parents(level, area, cluster_areas):
                by_area[(indicator, dims_key, parent)].append(key)
    for (indicator, level, area, _name), parts in by_dimension.items():
        found.append(((indicator, level, area, ""), parts))
    for (indicator, dims_key, (parent_level, parent_area, _by)), parts in by_area.items():
        found.append(((indicator, parent_level, parent_area, dims_key), parts))
    return found


def _parents(
    level: str, area: str, cluster_areas: Mapping[str, tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """The totals a cell is a part of, as (level, area, partition): national adds up twice
    over (by regions and by themes), a region or theme adds up by its clusters."""
    if level in ("region", "theme"):
        return [("national", "FR", level)]
    if level == "cluster" and area in cluster_areas:
        region, theme = cluster_areas[area]
        return [("region", region, "cluster"), ("theme", theme, "cluster")]
    return []


def secondary(
    cells: Mapping[CellKey, Cell],
    *,
    aggregation: Mapping[str, str],
    cluster_areas: Mapping[str, tuple[str, str]],
) -> dict[CellKey, str]:
    """The status every cell should have: its primary status, or ``D`` where hiding it is
    needed to protect another hidden cell. Existing ``D`` flags are recomputed from scratch."""
    status = {key: ("C" if cell.status == "C" else "A") for key, cell in cells.items()}
    equations = [
        (total, parts)
        for total, parts in relations(cells, aggregation=aggregation, cluster_areas=cluster_areas)
        if total in cells
    ]
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            members = [total, *parts]
            hidden = [key for key in members if status[key] in SUPPRESSED]
            if len(hidden) != 1:
                continue
            shown = [key for key in parts if status[key] == "A"] or [total] * (status[total] == "A")
            if not shown:
                continue
            victim = min(shown, key=lambda key: (abs(cells[key].value or 0), key))
            status[victim] = "D"
            changed = True
    return status


def ministry_view(cells: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cells as a ministry may see them: a suppressed cell keeps its flag, never its value."""
    return [{**cell, "value": None} if cell["status"] in SUPPRESSED else dict(cell) for cell in cells]
