"""Lineage of one cell: the clusters behind it and the exact rows (observation revisions,
member-list snapshots) and submissions each contributed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.errors import FieldProblem, InvalidInput, NotFound
from hub.models import AggregateCell
from hub.services.aggregation.periods import query_problems
from hub.services.aggregation.reading import as_cell
from schemas.reference import catalogue

AREA_COLUMN = {"national": "'FR'", "region": "c.region", "theme": "c.theme", "cluster": "c.code"}

OBSERVED = """
SELECT o.cluster_code, o.id, o.revision, o.submission_id, o.value, w.id, w.revision, w.submission_id, w.value
FROM observations o
JOIN clusters c ON c.code = o.cluster_code
JOIN indicators i ON i.code = o.indicator_code
LEFT JOIN observations w ON w.cluster_code = o.cluster_code AND w.period = o.period
     AND w.indicator_code = i.weight AND w.dims_key = '' AND w.is_current
WHERE o.period = :period AND o.is_current AND o.indicator_code = :indicator AND o.dims_key = :dims_key
  AND {area} = :area
ORDER BY o.cluster_code
"""

MEMBERS = """
SELECT l.cluster_code, l.submission_id, COUNT(*) FROM member_lists l
JOIN clusters c ON c.code = l.cluster_code
JOIN memberships m ON m.submission_id = l.submission_id AND m.cluster_code = l.cluster_code
JOIN organisations g ON g.id = m.organisation_id
WHERE l.period = :period AND {area} = :area AND (:category = '' OR g.category = :category)
GROUP BY l.cluster_code, l.submission_id ORDER BY l.cluster_code
"""


def lineage_problems(
    period: str, indicator: str | None, level: str, dimensions: dict[str, str]
) -> list[FieldProblem]:
    """Every problem of a lineage query: period, indicator, level and dimension codes."""
    problems = query_problems(period, indicator)
    item = None if indicator is None else catalogue().indicators.get(indicator)
    if level not in AREA_COLUMN:
        problems.append(FieldProblem("level", f"{level!r} is not one of {', '.join(AREA_COLUMN)}"))
    for name, code in dimensions.items():
        if item is not None and name not in item.dimensions:
            problems.append(FieldProblem(name, f"{indicator} has no dimension {name!r}"))
        elif code not in catalogue().code_lists.get(name, {}):
            problems.append(FieldProblem(name, f"unknown {name} code {code!r}"))
    return problems


def lineage(
    session: Session, *, period: str, indicator: str, level: str, area: str, dimensions: dict[str, str]
) -> dict[str, Any]:
    """The stored cell and, for each contributing cluster, the rows and submissions behind it."""
    problems = lineage_problems(period, indicator, level, dimensions)
    if problems:
        raise InvalidInput(problems)
    dims_key = ",".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))
    area = "FR" if level == "national" else area
    row = session.scalars(
        select(AggregateCell).filter_by(
            period=period, indicator_code=indicator, level=level, area=area, dims_key=dims_key
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no {level} cell {area!r} of {indicator} for {period} with dimensions {dimensions}")
    params = {"period": period, "indicator": indicator, "dims_key": dims_key, "area": area}
    if catalogue().indicators[indicator].aggregation == "distinct_members":
        params["category"] = dimensions.get("category", "")
        rows = session.execute(text(MEMBERS.format(area=AREA_COLUMN[level])), params)
        clusters = [
            {"cluster": code, "member_list": {"submission_id": submission, "members": count}}
            for code, submission, count in rows
        ]
        return {"cell": as_cell(row), "clusters": clusters, "left_out": []}
    contributing, left_out = [], []
    weighted = catalogue().indicators[indicator].aggregation == "weighted_mean"
    for code, obs_id, revision, submission, value, w_id, w_revision, w_submission, w_value in session.execute(
        text(OBSERVED.format(area=AREA_COLUMN[level])), params
    ):
        entry: dict[str, Any] = {
            "cluster": code,
            "observation": {"id": obs_id, "revision": revision, "submission_id": submission, "value": value},
        }
        if weighted:
            if w_value is None or w_value <= 0:
                left_out.append(
                    {**entry, "reason": f"no positive {catalogue().indicators[indicator].weight}"}
                )
                continue
            entry["weight"] = {
                "id": w_id,
                "revision": w_revision,
                "submission_id": w_submission,
                "value": w_value,
            }
        contributing.append(entry)
    return {"cell": as_cell(row), "clusters": contributing, "left_out": left_out}
