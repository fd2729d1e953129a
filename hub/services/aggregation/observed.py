"""Cells of the pushed indicators (sum, mean, min, max, weighted_mean), every level in one statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.services import disclosure
from hub.services.aggregation.cells import write_cells
from hub.services.aggregation.scope import Scope
from schemas.reference import catalogue

# One row per current observation of the period, with its cluster's region and theme and,
# for a weighted mean, the weight the same cluster gave for the same period. A weighted
# mean without a positive weight is left out here (and reported in the completeness).
# Weights are sought among the weight indicators' observations only, which PostgreSQL then
# reads by index instead of hashing every observation of the period.
# The CROSS JOINs (filtered in WHERE) fix SQLite's join order: on a full run the period's
# observations lead (rather than one index search per indicator and cluster); when only the
# clusters of a few regions and themes count, those clusters lead; when only a few indicators
# count, those indicators lead, and their observations are sought by index.
SOURCES = {
    "full": "observations o CROSS JOIN clusters c CROSS JOIN indicators i",
    "scoped": "clusters c CROSS JOIN observations o CROSS JOIN indicators i",
    "few indicators": "indicators i CROSS JOIN observations o CROSS JOIN clusters c",
}
CONTRIBUTIONS = """
contrib AS MATERIALIZED (
  SELECT o.indicator_code AS indicator, i.aggregation AS agg, o.dims_key AS dims_key,
         o.cluster_code AS cluster, c.region AS region, c.theme AS theme,
         o.value AS value, w.value AS weight
  FROM {sources}
  LEFT JOIN observations w ON i.weight IS NOT NULL AND w.cluster_code = o.cluster_code
       AND w.period = o.period AND w.indicator_code = i.weight AND w.dims_key = '' AND w.is_current
       AND w.indicator_code IN (SELECT weight FROM indicators)
  WHERE i.code = o.indicator_code AND c.code = o.cluster_code
    AND o.period = :period AND o.is_current AND i.aggregation <> 'distinct_members'
    AND i.periodicity = :periodicity AND (i.aggregation <> 'weighted_mean' OR w.value > 0){where}
)"""

# The contributions of each region and theme pair, grouped once: every area level is a
# sum of these partials, so the period's observations are sorted once, not once per level.
PARTIALS = """
partials AS MATERIALIZED (
  SELECT indicator, agg, dims_key, region, theme, COUNT(*) AS n, SUM(value) AS total,
         MIN(value) AS low, MAX(value) AS high, SUM(value * weight) AS weighted, SUM(weight) AS weights
  FROM contrib GROUP BY indicator, agg, dims_key, region, theme
)"""

ROLLED_UP = (
    "CASE agg WHEN 'sum' THEN SUM(total) WHEN 'mean' THEN SUM(total) / SUM(n) WHEN 'min' THEN MIN(low)"
    " WHEN 'max' THEN MAX(high) WHEN 'weighted_mean' THEN SUM(weighted) / SUM(weights) END AS value,"
    " SUM(n) AS contributors, MAX(high) AS max_contribution"
)

# National cells, once the region cells are stored: every cluster lies in one region, so
# the regions add up to the nation, and a run that changed a few regions need not read the
# other regions' observations again. A weighted mean needs its weights, which a region cell
# does not keep: it is computed from its (few) observations. The indicators lead, so that the
# region cells are read by index (period, indicator, level), not among all of the period's.
# A region cell of the run's scope that the run did not rewrite is gone (deleted at the
# run's end): only the run's own cells count there.
NATIONAL = f"""
regional AS (
  SELECT a.indicator_code AS indicator, i.aggregation AS agg, a.dims_key AS dims_key,
         CASE i.aggregation WHEN 'mean' THEN a.value * a.contributors ELSE a.value END AS total,
         a.contributors AS n, a.value AS low, a.value AS high,
         a.max_contribution AS largest
  FROM indicators i CROSS JOIN aggregates a
  WHERE a.indicator_code = i.code AND a.period = :period AND a.level = 'region'
    AND i.periodicity = :periodicity AND i.aggregation IN ('sum', 'mean', 'min', 'max'){{fresh}}
),
{CONTRIBUTIONS.format(sources=SOURCES["few indicators"], where=" AND i.aggregation = 'weighted_mean'")},
cells AS (
  SELECT indicator, agg, dims_key, 'national' AS level, 'FR' AS area,
         CASE agg WHEN 'sum' THEN SUM(total) WHEN 'mean' THEN SUM(total) / SUM(n) WHEN 'min' THEN MIN(low)
              WHEN 'max' THEN MAX(high) END AS value,
         SUM(n) AS contributors, MAX(largest) AS max_contribution
    FROM regional GROUP BY indicator, agg, dims_key
  UNION ALL
  SELECT indicator, agg, dims_key, 'national', 'FR', SUM(value * weight) / SUM(weight), COUNT(*), MAX(value)
    FROM contrib GROUP BY indicator, agg, dims_key
)"""


def cells_cte(scope: Scope) -> str:
    """Region, theme and cluster cells inside ``scope``, from the observations of the clusters
    sharing a region or a theme with the scope (all of them on a full run)."""
    where = "" if scope.full else " AND (c.region IN :scope_region OR c.theme IN :scope_theme)"
    sources = SOURCES["full" if scope.full else "scoped"]
    return f"""{CONTRIBUTIONS.format(sources=sources, where=where)},{PARTIALS},
cells AS (
  SELECT indicator, agg, dims_key, 'region' AS level, region AS area, {ROLLED_UP}
    FROM partials WHERE 1 = 1{scope.where("region", "region")} GROUP BY indicator, agg, dims_key, region
  UNION ALL
  SELECT indicator, agg, dims_key, 'theme', theme, {ROLLED_UP}
    FROM partials WHERE 1 = 1{scope.where("theme", "theme")} GROUP BY indicator, agg, dims_key, theme
  UNION ALL
  SELECT indicator, agg, dims_key, 'cluster', cluster, value, 1, value
    FROM contrib WHERE 1 = 1{scope.where("cluster", "cluster")}
)"""


def national_cte(scope: Scope) -> str:
    """The national cells, from the region cells this run wrote and those outside its scope."""
    outside = "" if scope.full else " OR a.area NOT IN :scope_region"
    return NATIONAL.format(fresh=f" AND (a.run_id = :run_id{outside})")


def write_observed_cells(
    session: Session,
    *,
    scope: Scope,
    run_id: int,
    period: str,
    periodicity: str,
    now: datetime,
    settings: disclosure.Settings,
) -> int:
    """Write the observed cells inside ``scope``, then the national ones; returns how many."""
    common: dict[str, Any] = {
        "run_id": run_id,
        "period": period,
        "now": now,
        "settings": settings,
        "periodicity": periodicity,
    }
    observed = {
        i.code
        for i in catalogue().indicators.values()
        if i.periodicity == periodicity and i.aggregation != "distinct_members"
    }
    areas = write_cells(
        session, cells_cte(scope), scope=scope, every=observed if scope.full else (), **common
    )
    return areas + write_cells(session, national_cte(scope), scope=scope, **common)
