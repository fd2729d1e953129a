"""Member counts after a few clusters change their lists, without recounting everyone.

Only organisations on an old or new list of a dirty cluster can change any count, and only
in the areas of the dirty clusters. For those organisations alone, the hub compares where
each was listed before (the snapshots the last run used) and now (the current snapshots),
and moves the stored counts by the difference.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from hub.models import AggregateCell, Membership, Organisation
from hub.services import disclosure
from hub.services.aggregation import members
from hub.services.aggregation.scope import Scope
from hub.services.aggregation.suppression import AREA_LEVELS

CHUNK = 5_000
AreaKey = tuple[str, str, str]  # level, area, dims_key

CLUSTER_CELLS = """
WITH cm AS (
  SELECT m.cluster_code AS cluster, g.category AS category, COUNT(DISTINCT m.organisation_id) AS n
  FROM member_lists l
  JOIN memberships m ON m.submission_id = l.submission_id AND m.cluster_code = l.cluster_code
  JOIN organisations g ON g.id = m.organisation_id
  WHERE l.period = :period AND l.cluster_code IN :dirty
  GROUP BY m.cluster_code, g.category
)
SELECT cluster, category, n FROM cm
"""


def _listings(session: Session, period: str, organisations: list[int]) -> list[tuple[int, str, int, str]]:
    """(organisation, cluster, snapshot, category) of every membership of these organisations
    in the period's snapshots (not in other periods', which grow with every year)."""
    rows: list[tuple[int, str, int, str]] = []
    for start in range(0, len(organisations), CHUNK):
        chunk = organisations[start : start + CHUNK]
        query = (
            select(
                Membership.organisation_id,
                Membership.cluster_code,
                Membership.submission_id,
                Organisation.category,
            )
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.organisation_id.in_(chunk), Membership.period == period)
        )
        rows.extend(
            (org, cluster, snapshot, category) for org, cluster, snapshot, category in session.execute(query)
        )
    return rows


def _presence(
    listings: list[tuple[int, str, int, str]], sources: dict[str, int], areas: dict[str, tuple[str, str]]
) -> tuple[Counter[AreaKey], int]:
    """Organisations per (level, area, dims_key) under one set of snapshots, and co-members."""
    where: dict[int, set[tuple[str, str]]] = defaultdict(set)
    clusters: dict[int, set[str]] = defaultdict(set)
    category: dict[int, str] = {}
    for organisation, cluster, snapshot, org_category in listings:
        if sources.get(cluster) != snapshot or cluster not in areas:
            continue
        region, theme = areas[cluster]
        where[organisation] |= {("national", "FR"), ("region", region), ("theme", theme)}
        clusters[organisation].add(cluster)
        category[organisation] = org_category
    counts: Counter[AreaKey] = Counter()
    for organisation, places in where.items():
        for level, area in places:
            counts[(level, area, "")] += 1
            counts[(level, area, f"category={category[organisation]}")] += 1
    return counts, sum(1 for listed in clusters.values() if len(listed) > 1)


def update_member_cells(
    session: Session,
    *,
    period: str,
    dirty: frozenset[str],
    areas: dict[str, tuple[str, str]],
    before: dict[str, int],
    now_sources: dict[str, int],
    co_members: int,
    run_id: int,
    now: datetime,
    settings: disclosure.Settings,
    members_code: str,
) -> tuple[int, int]:
    """Rewrite the member cells the dirty clusters' new lists change; returns the co-members
    and the cells written."""
    snapshots = [before[c] for c in dirty if c in before] + [
        now_sources[c] for c in dirty if c in now_sources
    ]
    organisations = (
        sorted(
            set(
                session.scalars(
                    select(Membership.organisation_id).where(Membership.submission_id.in_(snapshots))
                )
            )
        )
        if snapshots
        else []
    )
    listings = _listings(session, period, organisations)
    old_counts, old_co = _presence(listings, before, areas)
    new_counts, new_co = _presence(listings, now_sources, areas)
    touched = {("national", "FR")} | {
        (level, value)
        for c in dirty
        if c in areas
        for level, value in zip(("region", "theme"), areas[c], strict=True)
    }
    cells = AggregateCell.__table__
    stored = {
        (level, area, dims_key): value
        for level, area, dims_key, value in session.execute(
            select(cells.c.level, cells.c.area, cells.c.dims_key, cells.c.value).where(
                cells.c.period == period,
                cells.c.indicator_code == members_code,
                cells.c.level.in_(AREA_LEVELS),
            )
        )
        if (level, area) in touched
    }
    values = {
        key: stored.get(key, 0) - old_counts[key] + new_counts[key]
        for key in set(stored) | set(old_counts) | set(new_counts)
        if (key[0], key[1]) in touched
    }
    session.execute(
        text(
            "DELETE FROM aggregates WHERE period = :period AND indicator_code = :code AND level = 'cluster'"
            " AND area IN :dirty"
        ).bindparams(bindparam("dirty", expanding=True)),
        {"period": period, "code": members_code, "dirty": sorted(dirty)},
    )
    rows = _cluster_rows(session, period, dirty, members_code, run_id, now, settings)
    spread = _spread(session, period, touched)
    for level, area in touched:
        session.execute(
            delete(AggregateCell).where(
                AggregateCell.period == period,
                AggregateCell.indicator_code == members_code,
                AggregateCell.level == level,
                AggregateCell.area == area,
            )
        )
    for (level, area, dims_key), value in values.items():
        if value <= 0:
            continue
        contributors, largest = spread.get((level, area, dims_key), (0, 0.0))
        rows.append(
            _row(
                members_code,
                period,
                level,
                area,
                dims_key,
                value,
                contributors,
                largest,
                run_id,
                now,
                disclosure.primary_status(value, contributors, largest, "distinct_members", settings),
            )
        )
    if rows:
        session.execute(insert(AggregateCell), rows)
    return co_members - old_co + new_co, len(rows)


def _row(
    indicator: str,
    period: str,
    level: str,
    area: str,
    dims_key: str,
    value: float,
    contributors: int,
    largest: float,
    run_id: int,
    now: datetime,
    status: str,
) -> dict[str, Any]:
    dimensions = dict([dims_key.split("=", 1)]) if dims_key else {}
    return {
        "run_id": run_id,
        "period": period,
        "indicator_code": indicator,
        "level": level,
        "area": area,
        "dims_key": dims_key,
        "dimensions": dimensions,
        "value": value,
        "contributors": contributors,
        "max_contribution": largest,
        "status": status,
        "computed_at": now,
    }


def _cluster_rows(
    session: Session,
    period: str,
    dirty: frozenset[str],
    code: str,
    run_id: int,
    now: datetime,
    settings: disclosure.Settings,
) -> list[dict[str, Any]]:
    """The dirty clusters' own member cells, counted from their current lists."""
    statement = text(CLUSTER_CELLS).bindparams(bindparam("dirty", expanding=True))
    totals: Counter[str] = Counter()
    rows = []
    for cluster, category, count in session.execute(statement, {"period": period, "dirty": sorted(dirty)}):
        totals[cluster] += count
        rows.append(
            _row(code, period, "cluster", cluster, f"category={category}", count, 1, count, run_id, now, "")
        )
    rows.extend(_row(code, period, "cluster", c, "", n, 1, n, run_id, now, "") for c, n in totals.items())
    for row in rows:
        row["status"] = disclosure.primary_status(row["value"], 1, row["value"], "distinct_members", settings)
    return rows


def _spread(session: Session, period: str, touched: set[tuple[str, str]]) -> dict[AreaKey, tuple[int, float]]:
    """Contributors and largest cluster count of each touched area, from the stored category
    counts of the current lists: a grouping of a few rows per cluster, in the database."""
    scope = Scope(
        clusters=frozenset(),
        regions=frozenset(area for level, area in touched if level == "region"),
        themes=frozenset(area for level, area in touched if level == "theme"),
    )
    statement = text(
        f"WITH {members.PER_CLUSTER}, {members.spread_ctes(scope)}"
        " SELECT level, area, 'category=' || category, k, largest FROM spread_by_category"
        " UNION ALL SELECT level, area, '', k, largest FROM spread"
    )
    params: dict[str, Any] = {"period": period}
    rows = session.execute(scope.bind(statement, params), params)
    return {(level, area, dims_key): (count, largest) for level, area, dims_key, count, largest in rows}
