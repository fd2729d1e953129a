"""Completeness of each indicator and period: who was expected, who reported, who is missing,
what was left out, and how the national figure moved since the previous period."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from hub.models import AggregateCell, Cluster, Completeness, MemberList
from hub.services.aggregation import periods
from schemas.reference import Indicator, catalogue

# The weighted indicators lead, so that only their observations are read (by index).
LEFT_OUT = """
SELECT o.indicator_code, o.cluster_code FROM indicators i
CROSS JOIN observations o
LEFT JOIN observations w ON w.cluster_code = o.cluster_code AND w.period = o.period
     AND w.indicator_code = i.weight AND w.dims_key = '' AND w.is_current
WHERE o.indicator_code = i.code AND o.period = :period AND o.is_current AND i.aggregation = 'weighted_mean'
  AND (w.value IS NULL OR w.value <= 0){among}
"""


# What a run keeps on the MEMBERS row for the next one: co-members, the member-list snapshot of
# each cluster, each cluster's areas and the method the stored cells were computed by.
BOOKKEEPING = ("co_members", "member_sources", "cluster_areas", "method")

# Registry clusters without a current observation of an indicator of the period's periodicity.
SILENT = """
SELECT i.code, c.code FROM indicators i CROSS JOIN clusters c
WHERE i.periodicity = :periodicity AND i.aggregation <> 'distinct_members' AND NOT EXISTS (
  SELECT 1 FROM observations o WHERE o.cluster_code = c.code AND o.period = :period
     AND o.indicator_code = i.code AND o.is_current
){among}
"""

Clusters = frozenset[str] | None  # some clusters, or (None) all of them


def expected_clusters(session: Session, period: str) -> list[str]:
    """Clusters active in the registry whose activity window overlaps the period."""
    start, end = periods.bounds(period)
    rows = session.execute(
        select(Cluster.code, Cluster.active_from, Cluster.active_to).where(Cluster.active)
    ).all()
    return sorted(
        code
        for code, active_from, active_to in rows
        if (active_from is None or active_from <= end) and (active_to is None or active_to >= start)
    )


def _probe(session: Session, sql: str, column: str, clusters: Clusters, **params: Any) -> dict[str, set[str]]:
    """The (indicator, cluster) pairs ``sql`` finds among ``clusters``, by indicator."""
    statement = text(sql.format(among="" if clusters is None else f" AND {column} IN :clusters"))
    if clusters is not None:
        statement = statement.bindparams(bindparam("clusters", expanding=True))
        params["clusters"] = sorted(clusters)
    found: dict[str, set[str]] = defaultdict(set)
    for indicator, cluster in session.execute(statement, params):
        found[indicator].add(cluster)
    return found


def _silent(session: Session, period: str, members_code: str, clusters: Clusters) -> dict[str, set[str]]:
    """Which of ``clusters`` gave no figure, per indicator.

    Asked the other way round (who did not report) because nearly every cluster reports:
    one index probe per cluster and indicator, and a handful of rows back, instead of a
    grouping of the period's observations and every (indicator, cluster) pair fetched."""
    periodicity = periods.checked_periodicity(period)
    silent = _probe(session, SILENT, "c.code", clusters, period=period, periodicity=periodicity)
    asked = set(session.scalars(select(Cluster.code)).all()) if clusters is None else set(clusters)
    listed = select(MemberList.cluster_code).where(MemberList.period == period)
    if clusters is not None:
        listed = listed.where(MemberList.cluster_code.in_(sorted(clusters)))
    silent[members_code] = asked - set(session.scalars(listed))
    return silent


def _updated(
    known: dict[str, set[str]], probed: dict[str, set[str]], clusters: Clusters
) -> dict[str, set[str]]:
    """What the last run knew of the other clusters, with what the probe found of ``clusters``."""
    if clusters is None:
        return probed
    return {code: (known.get(code, set()) - clusters) | probed.get(code, set()) for code in {*known, *probed}}


def _national_totals(session: Session, period: str) -> dict[str, float | None]:
    rows = session.execute(
        select(AggregateCell.indicator_code, AggregateCell.value).where(
            AggregateCell.period == period,
            AggregateCell.indicator_code.in_(sorted(catalogue().indicators)),  # seeks the lookup index
            AggregateCell.level == "national",
            AggregateCell.dims_key == "",
        )
    )
    return {code: value for code, value in rows}


def _change(previous_period: str, before: float | None, now: float | None) -> dict[str, Any]:
    change: dict[str, Any] = {"previous_period": previous_period, "previous_value": before, "value": now}
    if before is not None and now is not None:
        change["difference"] = now - before
        change["ratio"] = None if before == 0 else now / before - 1
    return change


def write_completeness(
    session: Session,
    *,
    period: str,
    indicators: list[Indicator],
    run_id: int,
    now: datetime,
    members_code: str,
    members_details: dict[str, Any],
    clusters: Clusters,
) -> None:
    """Replace the period's completeness rows, one per indicator of the period's periodicity.

    Who reported and who was left out changes only for the clusters whose data or registry
    entry changed: a run scoped to ``clusters`` probes those alone and keeps what the last
    run found of the others (each row keeps its silent clusters, expected or not, for this)."""
    expected = expected_clusters(session, period)
    registered = set(session.scalars(select(Cluster.code)).all())
    known = {
        row.indicator_code: row.details
        for row in session.scalars(select(Completeness).where(Completeness.period == period))
    }
    if clusters is not None and any("silent" not in known.get(i.code, {}) for i in indicators):
        clusters = None  # never aggregated, or by a run that did not keep them
    silent = _updated(
        {code: set(details.get("silent", [])) for code, details in known.items()},
        _silent(session, period, members_code, clusters),
        clusters,
    )
    left_out = _updated(
        {
            code: set(details["left_out"]["clusters"])
            for code, details in known.items()
            if "left_out" in details
        },
        _probe(session, LEFT_OUT, "o.cluster_code", clusters, period=period),
        clusters,
    )
    previous_period = periods.previous(period)
    before, current = _national_totals(session, previous_period), _national_totals(session, period)
    session.execute(delete(Completeness).where(Completeness.period == period))
    rows = []
    for indicator in indicators:
        quiet = silent.get(indicator.code, set())
        details: dict[str, Any] = {
            "change": _change(previous_period, before.get(indicator.code), current.get(indicator.code)),
            "silent": sorted(quiet),
            # Reported although not expected (inactive in the registry, or outside their
            # activity window): in the figures, not in ``reported``, which counts the expected.
            "unexpected": sorted(registered - quiet - set(expected)),
        }
        if indicator.aggregation == "weighted_mean":
            details["left_out"] = {
                "reason": f"no positive {indicator.weight} to weight by",
                "clusters": sorted(left_out.get(indicator.code, set())),
            }
        if indicator.code == members_code:
            details.update(members_details)
        missing = [code for code in expected if code in quiet]
        rows.append(
            {
                "period": period,
                "indicator_code": indicator.code,
                "run_id": run_id,
                "expected": len(expected),
                "reported": len(expected) - len(missing),
                "missing": missing,
                "details": details,
                "computed_at": now,
            }
        )
    if rows:
        session.execute(insert(Completeness), rows)


def cluster_areas(session: Session) -> dict[str, list[str]]:
    """Each registry cluster's region and theme, as a run counts it (kept with the run's
    bookkeeping, so that the next run knows whether any cluster moved since)."""
    rows = session.execute(select(Cluster.code, Cluster.region, Cluster.theme)).all()
    return {code: [region, theme] for code, region, theme in rows}


def members_details(session: Session, period: str, members_code: str) -> dict[str, Any]:
    """What the last run stored about the member lists (co-members, snapshots used)."""
    row = session.get(Completeness, (period, members_code))
    if row is None:
        return {}
    return {key: row.details[key] for key in BOOKKEEPING if key in row.details}
