"""Connector runs: queued by a person, the CLI or the scheduler; claimed and finished by a runner.

A run moves queued → running → succeeded | unchanged | failed | abandoned. The claim is one
conditional UPDATE, so that two runners (two schedulers, a scheduler and ``hub sync``)
never both run the same pull.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.errors import Conflict, NotFound
from hub.models import ConnectorConfig, JobRun, utcnow
from hub.services.aggregation.periods import checked_periodicity
from hub.services.cluster_records import Page, page_of
from hub.services.registry import get_cluster

TRIGGERS = ("api", "cli", "schedule", "replay")
FINAL = ("succeeded", "unchanged", "failed", "abandoned")


@dataclass(frozen=True)
class RunFilter:
    kind: str | None = None
    cluster: str | None = None
    status: str | None = None


def default_period(today: date | None = None) -> str:
    """The period a pull asks for when none is given: the previous calendar year (annual),
    the last one a cluster can have closed its books on."""
    return str((today or date.today()).year - 1)


def check_sync(
    session: Session, cluster_code: str, *, period: str | None, replay_of: int | None = None
) -> str:
    """The period a pull of the cluster would ask for; refused when the cluster has no enabled
    connector (a replay reads no feed and needs none)."""
    get_cluster(session, cluster_code)
    period = default_period() if period is None else period
    checked_periodicity(period)
    config = session.get(ConnectorConfig, cluster_code)
    if replay_of is None and (config is None or not config.enabled):
        raise Conflict(f"cluster {cluster_code!r} has no enabled connector")
    return period


def queue_sync(
    session: Session,
    cluster_code: str,
    *,
    period: str | None,
    trigger: str,
    requested_by: str | None,
    replay_of: int | None = None,
    runner: str | None = None,
) -> JobRun:
    """Queue a pull of the cluster's feed. With ``runner``, the run is that runner's from the
    start, never queued: a foreground runner (``hub sync``) runs its own runs, and an active
    scheduler, which starts every queued run, must not take one and leave it unreported."""
    period = check_sync(session, cluster_code, period=period, replay_of=replay_of)
    now = utcnow()
    run = JobRun(
        kind="sync",
        cluster_code=cluster_code,
        period=period,
        status="queued" if runner is None else "running",
        trigger=trigger,
        requested_by=requested_by,
        replay_of=replay_of,
        counts={},
        created_at=now,
        runner=runner,
        started_at=None if runner is None else now,
        heartbeat_at=None if runner is None else now,
    )
    session.add(run)
    session.flush()
    return run


def claim(session: Session, run_id: int, runner: str) -> bool:
    """Mark a queued run as running; False when another runner got it first (or it is not queued)."""
    now = utcnow()
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.status == "queued")
        .values(status="running", runner=runner, started_at=now, heartbeat_at=now),
        execution_options={"synchronize_session": False},
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def finish(session: Session, run_id: int, status: str, **fields: Any) -> JobRun:
    """Record the outcome of a running run: its status, timings and what it did."""
    run = session.get(JobRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(f"no run {run_id}")
    run.status, run.finished_at = status, utcnow()
    for name, value in fields.items():
        setattr(run, name, value)
    return run


def abandon_stale(session: Session, *, silent_since: datetime) -> int:
    """Mark as abandoned the running runs whose runner has given no sign of life since then.

    A sync run's sign of life is its claim: it does not beat during the pull, which its limits
    end within half the run timeout (``sync.limits_for``); ``silent_since`` lies a whole run
    timeout back.
    """
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.status == "running", func.coalesce(JobRun.heartbeat_at, JobRun.started_at) < silent_since
        )
        .values(status="abandoned", finished_at=utcnow(), error="its runner stopped before it finished"),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


def get_run(session: Session, run_id: int, *, cluster: str | None = None) -> JobRun:
    """One run; ``cluster`` restricts it to one cluster's runs (a cluster token sees no other)."""
    run = session.get(JobRun, run_id)
    if run is None or (cluster is not None and run.cluster_code != cluster):
        raise NotFound(f"no run {run_id}")
    return run


def list_runs(session: Session, where: RunFilter, *, limit: int, cursor: int | None) -> Page:
    """Runs, newest first, filtered by kind, cluster and status."""
    query = select(JobRun.id, JobRun)
    if where.kind is not None:
        query = query.where(JobRun.kind == where.kind)
    if where.cluster is not None:
        query = query.where(JobRun.cluster_code == where.cluster)
    if where.status is not None:
        query = query.where(JobRun.status == where.status)
    page = page_of(session, query, JobRun.id, limit, cursor, newest=True)
    return Page([row[1] for row in page.items], page.cursor)
