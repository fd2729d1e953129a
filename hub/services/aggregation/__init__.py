"""The aggregation engine: national, regional, thematic and per-cluster figures of a period.

Every figure is computed in the database by a handful of set-based statements covering
all indicators and levels at once; disclosure flags are set as the cells are written
(primary) and by one walk over the period's area cells (secondary). ``aggregate_dirty``
recomputes only the cells the dirty clusters can change, and the member counts only when
a dirty cluster's member list is not the one last aggregated.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.config import Config
from hub.db import refresh_statistics
from hub.errors import HubError
from hub.models import Cluster, utcnow
from hub.services import disclosure, locks
from hub.services.aggregation import completeness, member_delta, members, observed, runs
from hub.services.aggregation.periods import checked_periodicity
from hub.services.aggregation.scope import FULL, Scope
from hub.services.aggregation.suppression import apply_secondary
from schemas.reference import Indicator, catalogue

__all__ = ["AggregationFailed", "AggregationResult", "aggregate_dirty", "aggregate_period"]

log = logging.getLogger(__name__)

# How the stored cells were computed. An incremental run moves stored figures by differences,
# which only holds if a run of the same method computed them: a period aggregated by another
# method is recomputed in full. 2: a member's category is the most recent list's, not the first.
METHOD = 2


@dataclass(frozen=True)
class AggregationResult:
    run_id: int
    period: str
    mode: str  # "full" or "incremental"
    cells: int  # cells written by this run
    primary: int  # cells of the period flagged C
    secondary: int  # cells of the period flagged D
    members_recomputed: bool
    clusters: list[str] = field(default_factory=list)  # dirty clusters consumed
    seconds: float = 0.0


class AggregationFailed(HubError):
    """Some dirty periods failed (each recorded as a failed run); the others were aggregated."""

    status = 500
    title = "Aggregation failed"

    def __init__(self, results: list[AggregationResult], failures: dict[str, str]) -> None:
        super().__init__("; ".join(f"{period}: {error}" for period, error in failures.items()))
        self.results = results
        self.failures = failures


def _indicators(periodicity: str) -> list[Indicator]:
    return [i for i in catalogue().indicators.values() if i.periodicity == periodicity]


def aggregate_period(
    session: Session, period: str, *, config: Config, trigger: str = "cli", requested_by: str | None = None
) -> AggregationResult:
    """Recompute every cell of ``period`` and clear the period's dirty marks."""
    checked_periodicity(period)
    result = _run(session, period, full=True, config=config, trigger=trigger, requested_by=requested_by)
    assert result is not None  # a full run always runs
    return result


def aggregate_dirty(
    session: Session,
    *,
    config: Config,
    trigger: str = "scheduler",
    period: str | None = None,
    backoff_seconds: int | None = None,
) -> list[AggregationResult]:
    """Recompute what the dirty marks say changed, one run (and one commit) per period; only
    in ``period`` when it is given.

    A period whose run fails keeps its marks and does not hold back the periods after it:
    they are aggregated, then ``AggregationFailed`` names the ones that failed. With
    ``backoff_seconds`` (the scheduler's passes), a period whose latest runs all failed waits
    longer after each (``runs.held_back_until``), rather than fail again at every pass."""
    if period is not None:
        checked_periodicity(period)
    results, failures = [], {}
    for dirty, marks in sorted(runs.dirty_marks(session, period).items()):
        if backoff_seconds is not None:
            until = runs.held_back_until(session, dirty, marks, base_seconds=backoff_seconds)
            if until is not None:
                log.debug("%s: its latest aggregations failed; next try after %s", dirty, until)
                continue
        try:
            result = _run(session, dirty, full=False, config=config, trigger=trigger, requested_by=None)
        except Exception as error:  # already recorded as the period's failed run
            failures[dirty] = f"{type(error).__name__}: {error}"
            continue
        if result is not None:
            results.append(result)
    if failures:
        raise AggregationFailed(results, failures)
    return results


def _dirty_scope(session: Session, clusters: set[str]) -> Scope:
    areas = session.execute(select(Cluster.region, Cluster.theme).where(Cluster.code.in_(clusters))).all()
    return Scope(
        clusters=frozenset(clusters),
        regions=frozenset(region for region, _ in areas),
        themes=frozenset(theme for _, theme in areas),
    )


def _run(
    session: Session, period: str, *, full: bool, config: Config, trigger: str, requested_by: str | None
) -> AggregationResult | None:
    """One run of ``period``, or None for an incremental one whose marks another run consumed
    while this one waited for it.

    The period is claimed before the marks are read: from then on no push to the period can
    commit until this run has (``locks.claim_period``), so every statement of the run sees the
    same pushes, and the marks it clears are exactly the pushes its cells include."""
    started = time.perf_counter()
    locks.claim_period(session, period)
    marks = runs.dirty_marks(session, period).get(period, [])
    if not full and not marks:
        session.commit()
        return None
    scope = FULL if full else _dirty_scope(session, {cluster for cluster, _ in marks})
    run = runs.start_run(session, period, trigger=trigger, requested_by=requested_by)
    try:
        result = _compute(
            session, period, scope, run.id, disclosure.Settings.of(config), [c for c, _ in marks]
        )
        runs.clear_marks(session, period, marks)
        result = AggregationResult(**{**result.__dict__, "seconds": round(time.perf_counter() - started, 3)})
        runs.finish_run(run, {k: v for k, v in result.__dict__.items() if k not in ("run_id", "period")})
        if result.mode == "full":  # the statistics serve the runs after it, incremental ones included
            refresh_statistics(session)
        session.commit()
    except Exception as error:
        runs.record_failure(session, period, error, trigger=trigger, requested_by=requested_by)
        raise
    return result


def _drop_stale(session: Session, scope: Scope, *, period: str, run_id: int, members_code: str) -> None:
    """Delete the cells of ``scope`` this run did not write: their figures no longer exist.
    Member cells an incremental run updates by difference keep their runs' stamps, and stay."""
    stale = text(
        f"DELETE FROM aggregates WHERE {scope.cells_condition()} AND COALESCE(run_id, 0) <> :run_id"
        + ("" if scope.full else " AND indicator_code <> :members_code")
    )
    params = {"period": period, "run_id": run_id, "members_code": members_code}
    session.execute(scope.bind(stale, params), params)


def _compute(
    session: Session, period: str, scope: Scope, run_id: int, settings: disclosure.Settings, dirty: list[str]
) -> AggregationResult:
    periodicity = checked_periodicity(period)
    members_code = members.members_code()
    sources = members.member_sources(session, period)
    previous = completeness.members_details(session, period, members_code)
    areas = completeness.cluster_areas(session)
    placed = {code: (region, theme) for code, (region, theme) in areas.items()}
    if previous.get("cluster_areas") != areas or previous.get("method") != METHOD:
        # Never aggregated, aggregated by another method, or the registry moved a cluster (or
        # gained one) since: the stored cells of the areas it left are stale too, so nothing
        # can be updated incrementally.
        scope = FULL
    recompute_members = scope.full or any(
        sources.get(code) != previous.get("member_sources", {}).get(code) for code in scope.clusters or ()
    )
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # The groupings of a million memberships spill to disk at the default 4 MB; for
        # this transaction only, let them work in memory.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        if not scope.full:
            # An incremental run reads the observations of the clusters that share a region or
            # a theme with the dirty ones: a few hundred out of thousands. At the default cost of a
            # random page (4, a spinning disk's) PostgreSQL reads all of the period's rather than
            # seek theirs in the index: 22 ms against 12 at scale 50, where a hub's pages are in
            # memory. A full run reads everything, and keeps the default plans it was tuned on.
            session.execute(text("SET LOCAL random_page_cost = 1.1"))
    written = observed.write_observed_cells(
        session,
        scope=scope,
        run_id=run_id,
        period=period,
        periodicity=periodicity,
        now=now,
        settings=settings,
    )
    details, member_cells = previous, 0
    if recompute_members and not scope.full:
        co_members, member_cells = member_delta.update_member_cells(
            session,
            period=period,
            dirty=scope.clusters or frozenset(),
            areas=placed,
            before=previous.get("member_sources", {}),
            now_sources=sources,
            co_members=previous.get("co_members", 0),
            run_id=run_id,
            now=now,
            settings=settings,
            members_code=members_code,
        )
        details = {**details, "co_members": co_members, "member_sources": sources}
    elif recompute_members and any(i.code == members_code for i in _indicators(periodicity)):
        co_members, member_cells = members.write_member_cells(
            session,
            scope=scope,
            run_id=run_id,
            period=period,
            now=now,
            settings=settings,
            members_code=members_code,
            snapshots=sorted(sources.values()),
        )
        details = {**details, "co_members": co_members, "member_sources": sources}
    _drop_stale(session, scope, period=period, run_id=run_id, members_code=members_code)
    completeness.write_completeness(
        session,
        period=period,
        indicators=_indicators(periodicity),
        run_id=run_id,
        now=now,
        members_code=members_code,
        members_details={**details, "cluster_areas": areas, "method": METHOD},
        clusters=scope.clusters,
    )
    primary, secondary = apply_secondary(session, period, settings, placed)
    return AggregationResult(
        run_id=run_id,
        period=period,
        mode="full" if scope.full else "incremental",
        cells=written + member_cells,
        primary=primary,
        secondary=secondary,
        members_recomputed=recompute_members,
        clusters=sorted(dirty),
    )
