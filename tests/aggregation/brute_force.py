"""The aggregates of a small federation computed the obvious way, in plain Python, to check
the SQL against: every figure from the raw lists, no shortcut shared with the engine."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

Key = tuple[str, str, str, str]  # indicator, level, area, dims_key


@dataclass
class Reported:
    region: str
    theme: str
    values: dict[tuple[str, str], float] = field(default_factory=dict)  # (indicator, dims_key) -> value
    members: dict[str, str] | None = None  # organisation key -> the category this cluster gives it


AGGREGATION = {
    "PROJECTS_FUNDED": "sum",
    "BUDGET_EUR": "sum",
    "PRIVATE_FUNDING_RATE": "weighted_mean",
    "MEMBER_SATISFACTION": "mean",
    "EVENTS": "max",
    "INTERNATIONAL_ACTIONS": "min",
}


def areas(code: str, cluster: Reported) -> list[tuple[str, str]]:
    return [("national", "FR"), ("region", cluster.region), ("theme", cluster.theme), ("cluster", code)]


def expected_cells(clusters: dict[str, Reported]) -> dict[Key, tuple[float, int, float]]:
    """(value, contributors, largest contribution) of every cell."""
    parts: dict[Key, list[tuple[float, float]]] = defaultdict(list)
    for code, cluster in clusters.items():
        weight = cluster.values.get(("BUDGET_EUR", ""))
        for (indicator, dims_key), value in cluster.values.items():
            if AGGREGATION[indicator] == "weighted_mean" and not (weight and weight > 0):
                continue
            for level, area in areas(code, cluster):
                parts[(indicator, level, area, dims_key)].append((value, weight or 0.0))
    result: dict[Key, tuple[float, int, float]] = {}
    for key, rows in parts.items():
        values = [value for value, _ in rows]
        kind = AGGREGATION[key[0]]
        if kind == "sum":
            total = sum(values)
        elif kind == "mean":
            total = mean(values)
        elif kind == "max":
            total = max(values)
        elif kind == "min":
            total = min(values)
        else:
            total = sum(v * w for v, w in rows) / sum(w for _, w in rows)
        result[key] = (total, len(rows), max(values))
    result.update(_members(clusters))
    return result


def _members(clusters: dict[str, Reported]) -> dict[Key, tuple[float, int, float]]:
    """Member counts, ``clusters`` being in the order their lists arrived: an organisation's
    category is the one the last list naming it gives, everywhere."""
    latest = {
        organisation: category
        for cluster in clusters.values()
        for organisation, category in (cluster.members or {}).items()
    }
    organisations: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    per_cluster: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, cluster in clusters.items():
        if cluster.members is None:
            continue
        for organisation in cluster.members:
            category = latest[organisation]
            for level, area in areas(code, cluster):
                for dims_key in ("", f"category={category}"):
                    organisations[(level, area, dims_key)].add(organisation)
                    per_cluster[(level, area, dims_key)][code] += 1
    return {
        ("MEMBERS", level, area, dims_key): (
            len(found),
            len(per_cluster[(level, area, dims_key)]),
            max(per_cluster[(level, area, dims_key)].values()),
        )
        for (level, area, dims_key), found in organisations.items()
    }


def co_members(clusters: dict[str, Reported]) -> int:
    listed: dict[str, int] = defaultdict(int)
    for cluster in clusters.values():
        for organisation in cluster.members or {}:
            listed[organisation] += 1
    return sum(1 for count in listed.values() if count > 1)
