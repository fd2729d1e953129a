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
CONTRIBUTIONS = """
contrib AS (
  SELECT o.indicator_code AS indicator, i.aggregation AS agg, o.dims_key AS dims_key,
         o.cluster_code AS cluster, c.region AS region, c.theme AS theme,
         o.value AS value, w.value AS weight
  FROM observations o
  JOIN indicators i ON i.code = o.indicator_code
  JOIN clusters c ON c.code = o.cluster_code
  LEFT JOIN observations w ON w.cluster_code = o.cluster_code AND w.period = o.period
       AND w.indicator_code = i.weight AND w.dims_key = '' AND w.is_current
  WHERE o.period = :period AND o.is_current AND i.aggregation <> 'distinct_members'
    AND i.periodicity = :periodicity AND (i.aggregation <> 'weighted_mean' OR w.value > 0)
)"""

VALUE = (
    "CASE agg WHEN 'sum' THEN SUM(value) WHEN 'mean' THEN AVG(value) WHEN 'min' THEN MIN(value)"
    " WHEN 'max' THEN MAX(value) WHEN 'weighted_mean' THEN SUM(value * weight) / SUM(weight) END"
)


def cells_cte(scope: Scope) -> str:
    grouped = f"{VALUE} AS value, COUNT(*) AS contributors, MAX(value) AS max_contribution"
    return f"""{CONTRIBUTIONS},
cells AS (
  SELECT indicator, agg, dims_key, 'national' AS level, 'FR' AS area, {grouped}
    FROM contrib GROUP BY indicator, agg, dims_key
  UNION ALL
  SELECT indicator, agg, dims_key, 'region', region, {grouped}
    FROM contrib WHERE 1 = 1{scope.where("region", "region")} GROUP BY indicator, agg, dims_key, region
  UNION ALL
  SELECT indicator, agg, dims_key, 'theme', theme, {grouped}
    FROM contrib WHERE 1 = 1{scope.where("theme", "theme")} GROUP BY indicator, agg, dims_key, theme
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
