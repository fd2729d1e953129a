"""Cells of ``MEMBERS``: distinct organisations over the current member lists.

An organisation listed by several clusters counts once in each area (national, a region,
a theme) and once in its category; a cluster's own cell counts its own list (ingestion
refuses an organisation listed twice, so a plain count is a distinct count there).

An organisation has one category in a period, in every cell: the one the most recent of the
period's current lists that name it gives (the highest submission id), so that a start-up a
cluster now lists as an SME counts as an SME, and no region shows more of a category than
the nation does.

Distinct counts are sums of the clusters' counts minus the duplicates. The clusters' counts
by the category they gave are stored with each snapshot (``member_category_counts``);
duplicates and disagreements only come from organisations listed more than once: one
grouping by organisation finds those (about a tenth) and, with their first and last
snapshots, where those listed twice (nine in ten of them) are listed. Only the memberships
of organisations listed three times or more, or that a list gives another category than the
hub first saw (flagged ``relabelled`` at ingestion), are looked at again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from hub.services import disclosure
from hub.services.aggregation.cells import write_cells
from hub.services.aggregation.scope import Scope
from schemas.reference import catalogue

# Organisations on two or more current lists of the period, with how many, the first and
# last of their snapshots and their category for the period (``agreed`` when every list gives
# it): the one grouping of every membership a run does, kept in a temporary table for the
# cells and the co-member count. PostgreSQL drops it at commit; the run drops it itself on
# SQLite.
# Every list gives the category the hub first saw (which PostgreSQL takes from the listings
# themselves, and SQLite from the organisation)...
GROUPED = """SELECT m.organisation_id AS org, COUNT(*) AS listings, MIN(m.submission_id) AS first_snapshot,
         MAX(m.submission_id) AS last_snapshot{category}
  FROM memberships m WHERE m.period = :period AND m.submission_id {current}
  GROUP BY m.organisation_id HAVING COUNT(*) > 1"""
# ...except for the organisations a list relabelled (found in their own small index), whose
# category is the one the last of their snapshots gives. Reading every listing's category in
# the grouping above instead cost as much as the grouping itself.
RELABEL_MULTI_LISTED = """UPDATE multi_listed SET agreed = FALSE, category = (
  SELECT m.category FROM memberships m
  WHERE m.submission_id = multi_listed.last_snapshot AND m.organisation_id = multi_listed.org
) WHERE org IN (
  SELECT m.organisation_id FROM member_lists l JOIN memberships m ON m.submission_id = l.submission_id
  WHERE l.period = :period AND m.relabelled
)"""
BUILD_MULTI_LISTED = {
    "postgresql": (
        # PostgreSQL reads the listings, with their category (the same one), from the index in
        # its order and groups them as they come: at scale 50, three quarters of the time of
        # sorting them, and a third of that of hashing a million groups, which the planner would
        # otherwise choose. The current snapshots come as a constant array, which it hashes to
        # test each listing; joined, they would lose the index's order.
        "SET LOCAL enable_hashagg = off",
        "CREATE TEMPORARY TABLE multi_listed ON COMMIT DROP AS SELECT org, listings, first_snapshot,"
        " last_snapshot, category, TRUE AS agreed FROM ("
        + GROUPED.format(
            category=", MIN(m.category) AS category", current="= ANY(CAST(:snapshots AS INTEGER[]))"
        )
        + ") x",
        "SET LOCAL enable_hashagg TO DEFAULT",
        RELABEL_MULTI_LISTED,
    ),
    # SQLite reads the index in its order too (with or without statistics: a join with the
    # lists took its order from them, and sorted a million listings), tests each listing against
    # the current snapshots, and looks the category up for the tenth that are multi-listed.
    "sqlite": (
        "CREATE TEMPORARY TABLE multi_listed (org INTEGER PRIMARY KEY, listings INTEGER,"
        " first_snapshot INTEGER, last_snapshot INTEGER, category TEXT, agreed BOOLEAN)",
        "INSERT INTO multi_listed (org, listings, first_snapshot, last_snapshot, category, agreed)"
        " SELECT x.org, x.listings, x.first_snapshot, x.last_snapshot, g.category, TRUE FROM ("
        + GROUPED.format(
            category="", current="IN (SELECT submission_id FROM member_lists WHERE period = :period)"
        )
        + ") x JOIN organisations g ON g.id = x.org",
        RELABEL_MULTI_LISTED,
    ),
}
# Then the table's statistics. Without them (autovacuum never sees a temporary table, and
# nothing analyses SQLite's) the planners take the table for a big one. PostgreSQL took the few
# organisations a list relabelled for a third of them, and read every membership of every period
# to find theirs, rather than seek them in the index; SQLite read every membership of every
# period into a Bloom filter before it sought the organisations listed three times or more (4 ms
# of a 50 ms run at scale 1). With statistics, the table needs no index: one on a hundred
# thousand rows cost more to build than it saved.
ANALYZE_MULTI_LISTED = {
    # A sample of 3,000 rows, a tenth of the default, plans the member cells as well: at scale
    # 50 it took 6 ms instead of 37 ms. (Analysing only the columns the statements filter on
    # saved less, and lost the join order: the member cells took 2 s.)
    "postgresql": (
        "SET LOCAL default_statistics_target = 10",
        "ANALYZE multi_listed",
        "SET LOCAL default_statistics_target TO DEFAULT",
    ),
    "sqlite": ("ANALYZE multi_listed",),  # sampled by the connection's analysis_limit
}


SPREAD = "COUNT(*) AS k, MAX(n) AS largest"  # contributors and the largest cluster's count
CLUSTER_TOTALS = """cluster_totals AS (
  SELECT cluster, region, theme, SUM(n) AS n FROM per_cluster GROUP BY cluster, region, theme
)"""


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


# Each cluster's current list and where it counts, then its members by their category for
# the period: the counts stored by the category the cluster gave, moved for the members whose
# category a more recent list changed.
PER_CLUSTER = (
    """snapshots AS MATERIALIZED (
  SELECT l.submission_id AS snapshot, l.cluster_code AS cluster, c.region AS region, c.theme AS theme
  FROM member_lists l JOIN clusters c ON c.code = l.cluster_code WHERE l.period = :period
),
moved AS MATERIALIZED (
  SELECT s.cluster AS cluster, s.region AS region, s.theme AS theme, m.category AS listed,
         x.category AS category
  FROM multi_listed x CROSS JOIN memberships m CROSS JOIN snapshots s
  WHERE NOT x.agreed AND m.period = :period AND m.organisation_id = x.org AND s.snapshot = m.submission_id
    AND m.category <> x.category
),
per_cluster AS MATERIALIZED (
  SELECT cluster, region, theme, category, SUM(n) AS n FROM (
    SELECT s.cluster AS cluster, s.region AS region, s.theme AS theme, k.category AS category, k.members AS n
      FROM snapshots s JOIN member_category_counts k ON k.submission_id = s.snapshot
    UNION ALL
    SELECT cluster, region, theme, listed, -1 FROM moved
    UNION ALL
    SELECT cluster, region, theme, category, 1 FROM moved
  ) counted GROUP BY cluster, region, theme, category HAVING SUM(n) > 0
),
"""
    + CLUSTER_TOTALS
)


def spread_ctes(scope: Scope) -> str:
    """``spread_by_category`` and ``spread``: how many clusters list members in each area
    (and category) and the largest of their counts, over ``PER_CLUSTER``."""
    by_category = _per_area(SPREAD + ", SUM(n) AS listed", "per_cluster", scope, "category")
    return f"""spread_by_category AS ({by_category}
),
spread AS ({_per_area(SPREAD, "cluster_totals", scope)}
)"""


def cells_cte(scope: Scope) -> str:
    """The member cells, from the snapshots' category counts and the ``multi_listed`` table.

    An organisation listed twice is one duplicate in the region (theme) where both of its
    snapshots lie; one listed more often, as many as its listings there beyond the first.
    Those listed twice are counted by category and shared region and theme in one pass
    (``twice``), which both levels then add up. Every listing counts in the organisation's
    category for the period (``per_cluster`` moved the others there), so its duplicates do."""
    in_clusters = scope.where("cluster", "cluster")
    return f"""{PER_CLUSTER},
twice AS MATERIALIZED (
  SELECT x.category AS category, CASE WHEN a.region = b.region THEN a.region END AS region,
         CASE WHEN a.theme = b.theme THEN a.theme END AS theme, COUNT(*) AS n
  FROM multi_listed x CROSS JOIN snapshots a CROSS JOIN snapshots b
  WHERE a.snapshot = x.first_snapshot AND b.snapshot = x.last_snapshot AND x.listings = 2
  GROUP BY 1, 2, 3
),
thrice AS MATERIALIZED (
  SELECT x.org AS org, x.category AS category, s.region AS region, s.theme AS theme
  FROM multi_listed x CROSS JOIN memberships m CROSS JOIN snapshots s
  WHERE m.period = :period AND m.organisation_id = x.org AND s.snapshot = m.submission_id AND x.listings > 2
),
duplicate_rows AS (
  SELECT 'national' AS level, 'FR' AS area, category, SUM(listings - 1) AS d FROM multi_listed
    GROUP BY category
  UNION ALL
  SELECT 'region', region, category, SUM(n) FROM twice
    WHERE region IS NOT NULL{scope.where("region", "region")} GROUP BY region, category
  UNION ALL
  SELECT 'region', region, category, COUNT(*) - COUNT(DISTINCT org) FROM thrice
    WHERE 1 = 1{scope.where("region", "region")} GROUP BY region, category
  UNION ALL
  SELECT 'theme', theme, category, SUM(n) FROM twice
    WHERE theme IS NOT NULL{scope.where("theme", "theme")} GROUP BY theme, category
  UNION ALL
  SELECT 'theme', theme, category, COUNT(*) - COUNT(DISTINCT org) FROM thrice
    WHERE 1 = 1{scope.where("theme", "theme")} GROUP BY theme, category
),
duplicates AS (
  SELECT level, area, category, SUM(d) AS d FROM duplicate_rows GROUP BY level, area, category
),
{spread_ctes(scope)},
distinct_by_category AS (
  SELECT s.level, s.area, s.category, s.listed - COALESCE(d.d, 0) AS n, s.k, s.largest
    FROM spread_by_category s
    LEFT JOIN duplicates d ON d.level = s.level AND d.area = s.area AND d.category = s.category
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


def write_member_cells(
    session: Session,
    *,
    scope: Scope,
    run_id: int,
    period: str,
    now: datetime,
    settings: disclosure.Settings,
    members_code: str,
    snapshots: list[int],
) -> tuple[int, int]:
    """Write the member cells inside ``scope`` from the current lists' ``snapshots``; returns
    the co-members of the period and the cells written."""
    params = {"period": period, "snapshots": snapshots}
    dialect = session.get_bind().dialect.name
    for statement in BUILD_MULTI_LISTED[dialect] + ANALYZE_MULTI_LISTED[dialect]:
        session.execute(
            text(statement), {name: value for name, value in params.items() if f":{name}" in statement}
        )
    written = write_cells(
        session,
        cells_cte(scope),
        scope=scope,
        run_id=run_id,
        period=period,
        now=now,
        settings=settings,
        every={members_code},
        members_code=members_code,
    )
    shared = int(session.execute(text("SELECT COUNT(*) FROM multi_listed")).scalar_one())
    session.execute(text("DROP TABLE multi_listed"))
    return shared, written


def members_code() -> str:
    """The catalogue's member count, the one indicator computed from member lists."""
    return catalogue().member_count().code


def member_sources(session: Session, period: str) -> dict[str, int]:
    """The member-list snapshot (submission id) each cluster has for the period."""
    rows = session.execute(
        text("SELECT cluster_code, submission_id FROM member_lists WHERE period = :period"),
        {"period": period},
    ).all()
    return {code: submission_id for code, submission_id in rows}
