"""Member counts after a few clusters change their lists, without recounting everyone.

Only organisations on an old or new list of a dirty cluster can change any count: where
they are listed, and which category the most recent list naming them gives. For those
organisations alone, the hub compares where and in which category each counted before (the
snapshots the last run used) and now (the current snapshots), and moves the stored counts
by the difference: in the dirty clusters' areas, and in those of any cluster whose counts a
changed category moves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, text
from sqlalchemy.orm import Session

from hub.models import AggregateCell, Membership
from hub.services import disclosure
from hub.services.aggregation.suppression import AREA_LEVELS

CHUNK = 5_000
AreaKey = tuple[str, str, str]  # level, area, dims_key
Listing = tuple[int, str, int, str]  # organisation, cluster, snapshot, category the cluster gave


def _listings(session: Session, period: str, organisations: list[int]) -> list[Listing]:
    """Every membership of these organisations in the period's snapshots (not in other
    periods', which grow with every year)."""
    rows: list[Listing] = []
    for start in range(0, len(organisations), CHUNK):
        chunk = organisations[start : start + CHUNK]
        query = select(
            Membership.organisation_id, Membership.cluster_code, Membership.submission_id, Membership.category
        ).where(Membership.organisation_id.in_(chunk), Membership.period == period)
        rows.extend(
            (org, cluster, snapshot, category) for org, cluster, snapshot, category in session.execute(query)
        )
    return rows


def _presence(
    listings: list[Listing], sources: dict[str, int], areas: dict[str, tuple[str, str]]
) -> tuple[Counter[AreaKey], int]:
    """Organisations per (level, area, dims_key) under one set of snapshots, clusters
    included, and co-members."""
    where: dict[int, set[tuple[str, str]]] = defaultdict(set)
    latest: dict[int, tuple[int, str]] = {}  # the most recent listing's snapshot and category
    for organisation, cluster, snapshot, listed in listings:
        if sources.get(cluster) != snapshot or cluster not in areas:
            continue
        region, theme = areas[cluster]
        where[organisation] |= {("national", "FR"), ("region", region), ("theme", theme)}
        where[organisation].add(("cluster", cluster))
        latest[organisation] = max(latest.get(organisation, (snapshot, listed)), (snapshot, listed))
    counts: Counter[AreaKey] = Counter()
    co_members = 0
    for organisation, places in where.items():
        category = latest[organisation][1]
        co_members += sum(1 for level, _ in places if level == "cluster") > 1
        for level, area in places:
            counts[(level, area, "")] += 1
            counts[(level, area, f"category={category}")] += 1
    return counts, co_members


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
    clusters = {c for c in dirty if c in areas} | {
        area
        for (level, area, dims_key) in old_counts.keys() | new_counts.keys()
        if level == "cluster" and old_counts[(level, area, dims_key)] != new_counts[(level, area, dims_key)]
    }
    touched = {("national", "FR")} | {
        (level, value)
        for c in clusters
        for level, value in zip(("region", "theme", "cluster"), (*areas[c], c), strict=True)
    }
    stored = _stored(session, period, members_code, touched)
    values = {
        key: stored.get(key, 0) - old_counts[key] + new_counts[key]
        for key in set(stored) | set(old_counts) | set(new_counts)
        if (key[0], key[1]) in touched
    }
    _delete(session, period, members_code, touched)
    row = partial(_row, members_code, period, run_id, now, settings)
    rows = [
        row(level, area, dims_key, value, 1, value)
        for (level, area, dims_key), value in values.items()
        if level == "cluster" and value > 0
    ]
    if rows:  # the areas' contributors are read from these
        session.execute(insert(AggregateCell), rows)
    spread = _spread(session, period, members_code, touched)
    area_rows = []
    for (level, area, dims_key), value in values.items():
        if level == "cluster" or value <= 0:
            continue
        contributors, largest = spread.get((level, area, dims_key), (0, 0.0))
        area_rows.append(row(level, area, dims_key, value, contributors, largest))
    if area_rows:
        session.execute(insert(AggregateCell), area_rows)
    return co_members - old_co + new_co, len(rows) + len(area_rows)


def _stored(
    session: Session, period: str, members_code: str, touched: set[tuple[str, str]]
) -> dict[AreaKey, float]:
    """The member cells the last runs stored in the touched areas."""
    cells = AggregateCell.__table__
    clusters = sorted(area for level, area in touched if level == "cluster")
    rows = session.execute(
        select(cells.c.level, cells.c.area, cells.c.dims_key, cells.c.value).where(
            cells.c.period == period,
            cells.c.indicator_code == members_code,
            or_(cells.c.level.in_(AREA_LEVELS), (cells.c.level == "cluster") & cells.c.area.in_(clusters)),
        )
    )
    return {(level, area, key): value for level, area, key, value in rows if (level, area) in touched}


def _delete(session: Session, period: str, members_code: str, touched: set[tuple[str, str]]) -> None:
    """Drop the touched areas' member cells, one seek in the lookup index per level."""
    for level in (*AREA_LEVELS, "cluster"):
        chosen = sorted(area for kind, area in touched if kind == level)
        if chosen:
            session.execute(
                text(
                    "DELETE FROM aggregates WHERE period = :period AND indicator_code = :code"
                    " AND level = :level AND area IN :areas"
                ).bindparams(bindparam("areas", expanding=True)),
                {"period": period, "code": members_code, "level": level, "areas": chosen},
            )


def _row(
    indicator: str,
    period: str,
    run_id: int,
    now: datetime,
    settings: disclosure.Settings,
    level: str,
    area: str,
    dims_key: str,
    value: float,
    contributors: int,
    largest: float,
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
        "status": disclosure.primary_status(value, contributors, largest, "distinct_members", settings),
        "computed_at": now,
    }


# Contributors and largest cluster count of each touched area and dims_key, from the stored
# cluster cells with members (a cluster's total is its cell without dimensions). The nation's
# are its regions': every cluster lies in one region, and the regions this run leaves alone
# keep theirs in their stored cells.
SPREAD = """
WITH regional AS (
  SELECT c.region AS area, a.dims_key AS dims_key, COUNT(*) AS k, MAX(a.value) AS largest
  FROM clusters c CROSS JOIN aggregates a
  WHERE c.region IN :regions AND a.period = :period AND a.indicator_code = :members_code
    AND a.level = 'cluster' AND a.area = c.code AND a.value > 0
  GROUP BY c.region, a.dims_key
)
SELECT 'region', area, dims_key, k, largest FROM regional
UNION ALL
SELECT 'theme', c.theme, a.dims_key, COUNT(*), MAX(a.value) FROM clusters c CROSS JOIN aggregates a
  WHERE c.theme IN :themes AND a.period = :period AND a.indicator_code = :members_code
    AND a.level = 'cluster' AND a.area = c.code AND a.value > 0
  GROUP BY c.theme, a.dims_key
UNION ALL
SELECT 'national', 'FR', dims_key, SUM(k), MAX(largest) FROM (
  SELECT dims_key, k, largest FROM regional
  UNION ALL
  SELECT dims_key, contributors, max_contribution FROM aggregates
  WHERE period = :period AND indicator_code = :members_code AND level = 'region' AND area NOT IN :regions
) by_region GROUP BY dims_key
"""


def _spread(
    session: Session, period: str, members_code: str, touched: set[tuple[str, str]]
) -> dict[AreaKey, tuple[int, float]]:
    """Contributors and largest cluster count of each touched area, from the stored cluster
    cells (those of this run included), counted in the database: a full run's own figures
    come from the lists, which an incremental run does not read again."""
    statement = text(SPREAD).bindparams(
        bindparam("regions", expanding=True), bindparam("themes", expanding=True)
    )
    params = {
        "period": period,
        "members_code": members_code,
        "regions": sorted(area for level, area in touched if level == "region"),
        "themes": sorted(area for level, area in touched if level == "theme"),
    }
    rows = session.execute(statement, params)
    return {(level, area, dims_key): (count, largest) for level, area, dims_key, count, largest in rows}
