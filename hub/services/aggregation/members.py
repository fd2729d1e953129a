"""Cells of ``MEMBERS``: distinct organisations over the current member lists.

An organisation listed by several clusters counts once in each area (national, a region,
a theme) and once in its category; a cluster's own cell counts its own list (ingestion
refuses an organisation listed twice, so a plain count is a distinct count there).

Distinct counts are sums of the clusters' counts minus the duplicates, and duplicates
only come from organisations listed more than once: one grouping by organisation finds
those (about a tenth), and only their memberships are looked at again. Each organisation
has one category nationally, so an area's total is the sum of its category counts.
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
# category. PostgreSQL reads them once into a materialised CTE; SQLite is faster reading
# the joins afresh in each grouping (NOT MATERIALIZED) than writing a million-row copy.
CURRENT_MEMBERS = """cm AS {materialized} (
  SELECT m.organisation_id AS org, l.cluster_code AS cluster, c.region AS region, c.theme AS theme,
         g.category AS category
  FROM member_lists l
  JOIN memberships m ON m.submission_id = l.submission_id
  JOIN clusters c ON c.code = l.cluster_code
  JOIN organisations g ON g.id = m.organisation_id
  WHERE l.period = :period
)"""


SPREAD = "COUNT(*) AS k, MAX(n) AS largest"  # contributors and the largest cluster's count


def _per_cluster() -> str:
    """Per cluster and category, from one grouping by cluster (category counts as columns)."""
    categories = sorted(catalogue().code_lists["category"])
    columns = ", ".join(
        f"SUM(CASE WHEN category = '{code}' THEN 1 ELSE 0 END) AS n_{code.lower()}" for code in categories
    )
    rows = " UNION ALL ".join(
        f"SELECT cluster, region, theme, '{code}' AS category, n_{code.lower()} AS n FROM wide"
        f" WHERE n_{code.lower()} > 0"
        for code in categories
    )
    return f"""wide AS MATERIALIZED (
  SELECT cluster, MIN(region) AS region, MIN(theme) AS theme, {columns} FROM cm GROUP BY cluster
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


def cells_cte(scope: Scope, dialect: str) -> str:
    in_clusters = scope.where("cluster", "cluster")
    materialized = "MATERIALIZED" if dialect == "postgresql" else "NOT MATERIALIZED"
    return f"""{CURRENT_MEMBERS.format(materialized=materialized)},
{_per_cluster()},
cluster_totals AS (
  SELECT cluster, region, theme, SUM(n) AS n FROM per_cluster GROUP BY cluster, region, theme
),
multi AS MATERIALIZED (
  SELECT org, MIN(category) AS category, COUNT(*) AS listings FROM cm GROUP BY org HAVING COUNT(*) > 1
),
multi_rows AS MATERIALIZED (
  -- unary plus: test the list row by row (SQLite would otherwise drive the joins from it)
  SELECT org, category, region, theme FROM cm WHERE +org IN (SELECT org FROM multi)
),
duplicates AS (
  SELECT 'national' AS level, 'FR' AS area, category, SUM(listings - 1) AS d FROM multi GROUP BY category
  UNION ALL
  SELECT 'region', region, category, COUNT(*) - COUNT(DISTINCT org) FROM multi_rows
    WHERE 1 = 1{scope.where("region", "region")} GROUP BY region, category
  UNION ALL
  SELECT 'theme', theme, category, COUNT(*) - COUNT(DISTINCT org) FROM multi_rows
    WHERE 1 = 1{scope.where("theme", "theme")} GROUP BY theme, category
),
spread_by_category AS ({_per_area(SPREAD + ", SUM(n) AS listed", "per_cluster", scope, "category")}
),
distinct_by_category AS (
  SELECT s.level, s.area, s.category, s.listed - COALESCE(d.d, 0) AS n, s.k, s.largest
    FROM spread_by_category s
    LEFT JOIN duplicates d ON d.level = s.level AND d.area = s.area AND d.category = s.category
),
spread AS ({_per_area(SPREAD, "cluster_totals", scope)}
),
area_totals AS (
  SELECT level, area, SUM(n) AS n FROM distinct_by_category GROUP BY level, area
),
cells AS (
  SELECT :members_code AS indicator, 'category=' || d.category AS dims_key, d.level AS level, d.area AS area,
         d.n AS value, d.k AS contributors, d.largest AS max_contribution, 'distinct_members' AS agg
    FROM distinct_by_category d
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
        cells_cte(scope, session.get_bind().dialect.name),
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
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:  # sorting a million organisation ids measured twice as fast as hashing them
        session.execute(text("SET LOCAL enable_hashagg = off"))
    shared = int(session.execute(statement, {"period": period}).scalar_one())
    if postgresql:
        session.execute(text("SET LOCAL enable_hashagg = on"))
    return shared


def member_sources(session: Session, period: str) -> dict[str, int]:
    """The member-list snapshot (submission id) each cluster has for the period."""
    rows = session.execute(
        text("SELECT cluster_code, submission_id FROM member_lists WHERE period = :period"),
        {"period": period},
    )
    return {code: submission_id for code, submission_id in rows}
