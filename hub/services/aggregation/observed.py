"""Cells of the pushed indicators (sum, mean, min, max, weighted_mean), every level in one statement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.services import disclosure
from hub.services.aggregation.cells import insert_cells
from hub.services.aggregation.scope import Scope

# One row per current observation of the period, with its cluster's region and theme and,
# for a weighted mean, the weight the same cluster gave for the same period. A weighted
# mean without a positive weight is left out here (and reported in the completeness).
# The CROSS JOINs (filtered in WHERE) keep SQLite from driving the scan from the catalogue
# and the registry, one index search per indicator and cluster: the observations lead.
CONTRIBUTIONS = """
contrib AS MATERIALIZED (
  SELECT o.indicator_code AS indicator, i.aggregation AS agg, o.dims_key AS dims_key,
         o.cluster_code AS cluster, c.region AS region, c.theme AS theme,
         o.value AS value, w.value AS weight
  FROM observations o
  CROSS JOIN indicators i
  CROSS JOIN clusters c
  LEFT JOIN observations w ON i.weight IS NOT NULL AND w.cluster_code = o.cluster_code
       AND w.period = o.period AND w.indicator_code = i.weight AND w.dims_key = '' AND w.is_current
  WHERE i.code = o.indicator_code AND c.code = o.cluster_code
    AND o.period = :period AND o.is_current AND i.aggregation <> 'distinct_members'
    AND i.periodicity = :periodicity AND (i.aggregation <> 'weighted_mean' OR w.value > 0)
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


def cells_cte(scope: Scope) -> str:
    return f"""{CONTRIBUTIONS},{PARTIALS},
cells AS (
  SELECT indicator, agg, dims_key, 'national' AS level, 'FR' AS area, {ROLLED_UP}
    FROM partials GROUP BY indicator, agg, dims_key
  UNION ALL
  SELECT indicator, agg, dims_key, 'region', region, {ROLLED_UP}
    FROM partials WHERE 1 = 1{scope.where("region", "region")} GROUP BY indicator, agg, dims_key, region
  UNION ALL
  SELECT indicator, agg, dims_key, 'theme', theme, {ROLLED_UP}
    FROM partials WHERE 1 = 1{scope.where("theme", "theme")} GROUP BY indicator, agg, dims_key, theme
  UNION ALL
  SELECT indicator, agg, dims_key, 'cluster', cluster, value, 1, value
    FROM contrib WHERE 1 = 1{scope.where("cluster", "cluster")}
)"""


def insert_observed_cells(
    session: Session,
    *,
    scope: Scope,
    run_id: int,
    period: str,
    periodicity: str,
    now: datetime,
    settings: disclosure.Settings,
) -> None:
    insert_cells(
        session,
        cells_cte(scope),
        scope=scope,
        run_id=run_id,
        period=period,
        now=now,
        settings=settings,
        periodicity=periodicity,
    )
