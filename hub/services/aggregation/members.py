"""Cells of ``MEMBERS``: distinct organisations over the current member lists.

An organisation listed by several clusters counts once in each area (national, a region,
a theme) and once in its category; a cluster's own cell counts its own list. Each
organisation has exactly one category nationally, so an area's total is the sum of its
category counts and only the per-category counts need a distinct count. A member list
names an organisation once (ingestion refuses duplicates), so within one list a plain
count is a distinct count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.services import disclosure
from hub.services.aggregation.cells import insert_cells
from hub.services.aggregation.scope import Scope
from schemas.reference import catalogue

# The current memberships of the period with their cluster's areas and the organisation's
# category. The two big groupings (by cluster, by organisation) each read these joins
# afresh: on SQLite a materialised copy of a million rows cost more than the joins.
CURRENT = """FROM member_lists l
  JOIN memberships m ON m.submission_id = l.submission_id
  JOIN clusters c ON c.code = l.cluster_code
  JOIN organisations g ON g.id = m.organisation_id
  WHERE l.period = :period"""


def _per_cluster() -> str:
    """Per cluster and category, from one grouping by cluster (category counts as columns)."""
    categories = sorted(catalogue().code_lists["category"])
    columns = ", ".join(
        f"SUM(CASE WHEN g.category = '{code}' THEN 1 ELSE 0 END) AS n_{code.lower()}" for code in categories
    )
    rows = " UNION ALL ".join(
        f"SELECT cluster, region, theme, '{code}' AS category, n_{code.lower()} AS n FROM wide"
        f" WHERE n_{code.lower()} > 0"
        for code in categories
    )
    return f"""wide AS MATERIALIZED (
  SELECT l.cluster_code AS cluster, MIN(c.region) AS region, MIN(c.theme) AS theme, {columns}
  {CURRENT} GROUP BY l.cluster_code
),
per_cluster AS MATERIALIZED ({rows})"""


def _per_area(select: str, source: str, scope: Scope, group: str = "") -> str:
    """``select`` at national, region and theme level over ``source``, inside the scope."""
    extra = f", {group}" if group else ""
    national_group = f" GROUP BY {group}" if group else ""
    return f"""
  SELECT 'national' AS level, 'FR' AS area{extra}, {select} FROM {source}{national_group}
  UNION ALL
  SELECT 'region', region{extra}, {select} FROM {source} WHERE 1 = 1{scope.where("region", "region")}
    GROUP BY region{extra}
  UNION ALL
  SELECT 'theme', theme{extra}, {select} FROM {source} WHERE 1 = 1{scope.where("theme", "theme")}
    GROUP BY theme{extra}"""


def _spanning(level: str, low: str, high: str, scope: Scope) -> str:
    """Distinct organisations per area of ``level``: one grouping by organisation settles
    those whose clusters all sit in one area; only the others (co-members across areas)
    go back to their memberships, deduplicated."""
    return f"""SELECT '{level}', area, category, COUNT(*) FROM (
    SELECT {low} AS area, category, org FROM per_org WHERE {low} = {high}{scope.where(level, low)}
    UNION ALL
    SELECT DISTINCT {level}, category, org FROM spanning
      WHERE org IN (SELECT org FROM per_org WHERE {low} <> {high}){scope.where(level, level)}
  ) AS {level}_orgs GROUP BY area, category"""


def cells_cte(scope: Scope) -> str:
    in_clusters = scope.where("cluster", "cluster")
    return f"""{_per_cluster()},
cluster_totals AS (
  SELECT cluster, region, theme, SUM(n) AS n FROM per_cluster GROUP BY cluster, region, theme
),
per_org AS MATERIALIZED (
  SELECT m.organisation_id AS org, MIN(g.category) AS category, MIN(c.region) AS rmin, MAX(c.region) AS rmax,
         MIN(c.theme) AS tmin, MAX(c.theme) AS tmax
  {CURRENT} GROUP BY m.organisation_id
),
spanning AS MATERIALIZED (
  SELECT m.organisation_id AS org, g.category AS category, c.region AS region, c.theme AS theme
  FROM member_lists l
  CROSS JOIN memberships m
  CROSS JOIN clusters c
  CROSS JOIN organisations g
  WHERE l.period = :period AND m.submission_id = l.submission_id AND c.code = l.cluster_code
    AND g.id = m.organisation_id
    -- unary plus: test the list row by row, never drive the join from it
    AND +m.organisation_id IN (SELECT org FROM per_org WHERE rmin <> rmax OR tmin <> tmax)
),
distinct_by_category AS (
  SELECT 'national' AS level, 'FR' AS area, category, COUNT(*) AS n FROM per_org GROUP BY category
  UNION ALL
  {_spanning("region", "rmin", "rmax", scope)}
  UNION ALL
  {_spanning("theme", "tmin", "tmax", scope)}
),
spread_by_category AS ({_per_area("COUNT(*) AS k, MAX(n) AS largest", "per_cluster", scope, "category")}
),
spread AS ({_per_area("COUNT(*) AS k, MAX(n) AS largest", "cluster_totals", scope)}
),
area_totals AS (
  SELECT level, area, SUM(n) AS n FROM distinct_by_category GROUP BY level, area
),
cells AS (
  SELECT :members_code AS indicator, 'category=' || d.category AS dims_key, d.level AS level, d.area AS area,
         d.n AS value, s.k AS contributors, s.largest AS max_contribution, 'distinct_members' AS agg
    FROM distinct_by_category d
    JOIN spread_by_category s ON s.level = d.level AND s.area = d.area AND s.category = d.category
  UNION ALL
  SELECT :members_code, '', t.level, t.area, t.n, s.k, s.largest, 'distinct_members'
    FROM area_totals t JOIN spread s ON s.level = t.level AND s.area = t.area
  UNION ALL
  SELECT :members_code, 'category=' || category, 'cluster', cluster, n, 1, n, 'distinct_members'
    FROM per_cluster WHERE 1 = 1{in_clusters}
  UNION ALL
  SELECT :members_code, '', 'cluster', cluster, n, 1, n, 'distinct_members'
    FROM cluster_totals WHERE 1 = 1{in_clusters}
)"""


def insert_member_cells(
    session: Session,
    *,
    scope: Scope,
    run_id: int,
    period: str,
    now: datetime,
    settings: disclosure.Settings,
    members_code: str,
) -> None:
    insert_cells(
        session,
        cells_cte(scope),
        scope=scope,
        run_id=run_id,
        period=period,
        now=now,
        settings=settings,
        members_code=members_code,
    )


def co_members(session: Session, period: str) -> int:
    """Organisations listed by two or more clusters in the period."""
    statement = text(
        "SELECT COUNT(*) FROM (SELECT m.organisation_id FROM member_lists l"
        " JOIN memberships m ON m.submission_id = l.submission_id WHERE l.period = :period"
        " GROUP BY m.organisation_id HAVING COUNT(*) > 1) AS shared"
    )
    return int(session.execute(statement, {"period": period}).scalar_one())


def member_sources(session: Session, period: str) -> dict[str, int]:
    """The member-list snapshot (submission id) each cluster has for the period."""
    rows = session.execute(
        text("SELECT cluster_code, submission_id FROM member_lists WHERE period = :period"),
        {"period": period},
    )
    return {code: submission_id for code, submission_id in rows}
