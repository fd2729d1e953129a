"""Lineage of one cell: the clusters behind it and the exact rows (observation revisions,
member-list snapshots) and submissions each contributed."""

from __future__ import annotations

from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from hub.errors import FieldProblem, InvalidInput, NotFound
from hub.models import AggregateCell, Completeness
from hub.models.base import UTCDateTime
from hub.services.aggregation import completeness, members
from hub.services.aggregation.periods import query_problems
from hub.services.aggregation.reading import as_cell, empty_national_values
from schemas.reference import catalogue

LEVELS = ("national", "region", "theme", "cluster")

# The revision of a value that was current when the cell was computed: written by then, and
# not yet superseded by then. A push waits for a running aggregation of its period (and
# stamps its rows after that), so "by then" is exactly "seen by the run".
AS_OF = """{row}.created_at <= :as_of AND NOT EXISTS (
  SELECT 1 FROM observations n WHERE n.cluster_code = {row}.cluster_code AND n.period = {row}.period
     AND n.indicator_code = {row}.indicator_code AND n.dims_key = {row}.dims_key
     AND n.revision > {row}.revision AND n.created_at <= :as_of)"""

OBSERVED = f"""
SELECT o.cluster_code, o.id, o.revision, o.submission_id, o.value, w.id, w.revision, w.submission_id, w.value
FROM observations o
JOIN indicators i ON i.code = o.indicator_code
LEFT JOIN observations w ON w.cluster_code = o.cluster_code AND w.period = o.period
     AND w.indicator_code = i.weight AND w.dims_key = '' AND {AS_OF.format(row="w")}
WHERE o.period = :period AND o.indicator_code = :indicator AND o.dims_key = :dims_key
  AND o.cluster_code IN :clusters AND {AS_OF.format(row="o")}
ORDER BY o.cluster_code
"""

# What each cluster's list counts in the cell is its own cell of the same dimensions, which the
# run that computed the cell wrote or kept (a run that changes a cluster's cell rewrites the
# cells of its areas too): no membership is read again.
MEMBERS = """
SELECT area, value FROM aggregates
WHERE period = :period AND indicator_code = :indicator AND level = 'cluster' AND area IN :clusters
  AND dims_key = :dims_key AND value > 0
ORDER BY area
"""

# Every listing, in the run's lists, of the organisations some list gives another category than
# the hub first saw: only among them can lists disagree on a category.
RELABELLED = """
SELECT m.organisation_id, m.cluster_code, m.submission_id, m.category FROM memberships m
WHERE m.submission_id IN :snapshots AND m.organisation_id IN (
  SELECT r.organisation_id FROM memberships r WHERE r.submission_id IN :snapshots AND r.relabelled
)
"""


def lineage_problems(
    period: str | None, indicator: str | None, level: str, area: str | None, dimensions: dict[str, str]
) -> list[FieldProblem]:
    """Every problem of a lineage query: period, indicator, level, area and dimension codes.

    An area that does not fit the level is refused rather than dropped: ``area=FR-IDF`` without
    ``level=region`` would otherwise be answered with the national cell's lineage."""
    problems = query_problems(period, indicator)
    item = None if indicator is None else catalogue().indicators.get(indicator)
    if level not in LEVELS:
        problems.append(FieldProblem("level", f"{level!r} is not one of {', '.join(LEVELS)}"))
    elif level == "national" and area not in (None, "FR"):
        problems.append(
            FieldProblem("area", f"the national cell's area is FR, not {area!r}: give its level too")
        )
    elif level != "national" and area is None:
        problems.append(FieldProblem("area", f"a {level} cell's lineage needs its area: the {level}'s code"))
    for name, code in dimensions.items():
        if item is not None and name not in item.dimensions:
            problems.append(FieldProblem(name, f"{indicator} has no dimension {name!r}"))
        elif code not in catalogue().code_lists.get(name, {}):
            problems.append(FieldProblem(name, f"unknown {name} code {code!r}"))
    return problems


def lineage(
    session: Session, *, period: str, indicator: str, level: str, area: str | None, dimensions: dict[str, str]
) -> dict[str, Any]:
    """The stored cell and, for each contributing cluster, the rows and submissions behind it."""
    problems = lineage_problems(period, indicator, level, area, dimensions)
    if problems:
        raise InvalidInput(problems)
    dims_key = ",".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))
    area = "FR" if level == "national" else area
    row = session.scalars(
        select(AggregateCell).filter_by(
            period=period, indicator_code=indicator, level=level, area=area, dims_key=dims_key
        )
    ).one_or_none()
    if row is None and level == "national" and not dimensions and _aggregated(session, period, indicator):
        # The listing shows an indicator nobody reported as an empty national total: so does its
        # lineage, with no cluster behind it, rather than say there is no such cell.
        empty = SimpleNamespace(**empty_national_values(indicator, period))
        return {"cell": as_cell(empty), "clusters": [], "left_out": [], "categorised_by": []}
    if row is None:
        raise NotFound(f"no {level} cell {area!r} of {indicator} for {period} with dimensions {dimensions}")
    # Where each cluster counted, and which member lists, as the run that computed the cell saw
    # them: the registry or a list may have changed since, before the next run.
    bookkeeping = completeness.members_details(session, period, members.members_code())
    areas = bookkeeping.get("cluster_areas") or completeness.cluster_areas(session)
    clusters = sorted(
        code for code, (region, theme) in areas.items() if area in _places(level, code, region, theme)
    )
    if catalogue().indicators[indicator].aggregation == "distinct_members":
        sources = bookkeeping.get("member_sources") or members.member_sources(session, period)
        statement = text(MEMBERS).bindparams(bindparam("clusters", expanding=True))
        rows = session.execute(
            statement, {"period": period, "indicator": indicator, "clusters": clusters, "dims_key": dims_key}
        )
        listed = [
            {"cluster": code, "member_list": {"submission_id": sources[code], "members": int(count)}}
            for code, count in rows
        ]
        categorised = (
            _categorised_by(session, sources, set(clusters), dimensions["category"])
            if "category" in dimensions
            else []
        )
        return {"cell": as_cell(row), "clusters": listed, "left_out": [], "categorised_by": categorised}
    statement = text(OBSERVED).bindparams(
        bindparam("clusters", expanding=True), bindparam("as_of", type_=UTCDateTime())
    )
    params = {
        "period": period,
        "indicator": indicator,
        "dims_key": dims_key,
        "clusters": clusters,
        "as_of": row.computed_at,
    }
    contributing, left_out = [], []
    weighted = catalogue().indicators[indicator].aggregation == "weighted_mean"
    for code, obs_id, revision, submission, value, w_id, w_revision, w_submission, w_value in session.execute(
        statement, params
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
    return {"cell": as_cell(row), "clusters": contributing, "left_out": left_out, "categorised_by": []}


def _aggregated(session: Session, period: str, indicator: str) -> bool:
    found = select(Completeness.period).filter_by(period=period, indicator_code=indicator)
    return session.execute(found).first() is not None


def _categorised_by(
    session: Session, sources: dict[str, int], clusters: set[str], category: str
) -> list[dict[str, Any]]:
    """The lists of clusters outside the cell that gave some of its members their category:
    the most recent list naming a member decides its category, wherever that list counts."""
    statement = text(RELABELLED).bindparams(bindparam("snapshots", expanding=True))
    listings: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for organisation, cluster, snapshot, listed in session.execute(
        statement, {"snapshots": sorted(sources.values())}
    ):
        listings[organisation].append((snapshot, cluster, listed))
    deciding: Counter[tuple[str, int]] = Counter()
    for found in listings.values():
        snapshot, cluster, decided = max(found)
        in_cell = any(code in clusters for _, code, _ in found)
        if decided == category and in_cell and cluster not in clusters and len({c for *_, c in found}) > 1:
            deciding[(cluster, snapshot)] += 1
    return [
        {"cluster": cluster, "member_list": {"submission_id": snapshot, "members": count}}
        for (cluster, snapshot), count in sorted(deciding.items())
    ]


def _places(level: str, code: str, region: str, theme: str) -> tuple[str, ...]:
    """The areas of ``level`` a cluster counts in."""
    return {"national": ("FR",), "region": (region,), "theme": (theme,), "cluster": (code,)}[level]
