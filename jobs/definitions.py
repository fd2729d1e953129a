"""What the active scheduler runs. Each job is a plain function of a ``JobContext`` so that
tests call it directly; the scheduler only decides when, and that one process runs it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from hub.config import Config
from hub.db import transaction
from hub.errors import HubError
from hub.models import ConnectorConfig, JobRun, utcnow
from hub.services import cron, runs, sync
from hub.services.aggregation import aggregate_dirty
from hub.state import HubState

log = logging.getLogger(__name__)
SYNC_JOB_PREFIX = "sync:"


@dataclass
class JobContext:
    state: HubState
    pool: ThreadPoolExecutor  # runs queued pulls, so that a slow feed never delays other jobs
    in_flight: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    scheduler: Any = None  # the APScheduler instance, for the per-connector cron jobs
    active: Callable[[], bool] = lambda: True  # whether this process holds the lease now


@dataclass(frozen=True)
class JobSpec:
    id: str
    run: Callable[[JobContext], Any]
    trigger: Callable[[Config], BaseTrigger]


def aggregate_dirty_periods(context: JobContext) -> int:
    """Recompute what pushes and pulls changed; returns the number of periods recomputed. A
    period that keeps failing is tried after one pass, then two, four… (at most an hour)."""
    config = context.state.config
    with transaction(context.state.sessions) as session:
        aggregated = aggregate_dirty(
            session, config=config, trigger="scheduler", backoff_seconds=config.aggregate_interval_seconds
        )
        return len(aggregated)


def abandon_dead_runs(context: JobContext) -> int:
    """Close runs whose runner died (a killed process never says so itself)."""
    state = context.state
    silent_since = utcnow() - timedelta(seconds=state.config.run_timeout_seconds)
    with transaction(state.sessions) as session:
        return runs.abandon_stale(session, silent_since=silent_since)


def start_queued_runs(context: JobContext) -> list[int]:
    """Hand every queued pull (``POST …/sync``, cron) to the pool; ``execute`` claims each one,
    so a run another runner took first is skipped there, not run twice."""
    with context.state.sessions() as session:
        queued = session.scalars(
            select(JobRun.id).where(JobRun.kind == "sync", JobRun.status == "queued").order_by(JobRun.id)
        ).all()
    started = []
    with context.lock:
        for run_id in queued:
            if run_id not in context.in_flight:
                context.in_flight.add(run_id)
                context.pool.submit(_execute, context, run_id)
                started.append(run_id)
    return started


def _execute(context: JobContext, run_id: int) -> None:
    try:
        sync.execute(context.state, run_id)
    except Exception:
        log.exception("run %s could not be executed", run_id)
    finally:
        with context.lock:
            context.in_flight.discard(run_id)


def queue_scheduled_sync(context: JobContext, cluster_code: str) -> int | None:
    """A connector's cron fired: queue a pull unless one is already waiting or running (or
    this process stopped being the active scheduler since it added the cron job)."""
    if not context.active():
        return None
    with transaction(context.state.sessions) as session:
        pending = session.scalar(
            select(JobRun.id).where(
                JobRun.kind == "sync",
                JobRun.cluster_code == cluster_code,
                JobRun.status.in_(("queued", "running")),
            )
        )
        if pending is not None:
            return None
        try:
            return runs.queue_sync(
                session, cluster_code, period=None, trigger="schedule", requested_by="scheduler"
            ).id
        except HubError as exc:  # the connector was disabled since the schedule was read
            log.warning("scheduled pull of %s not queued: %s", cluster_code, exc.detail)
            return None


def follow_connector_schedules(context: JobContext) -> dict[str, str]:
    """Keep one cron job per enabled, scheduled connector, as the configuration says now."""
    with context.state.sessions() as session:
        rows = session.execute(
            select(ConnectorConfig.cluster_code, ConnectorConfig.schedule).where(
                ConnectorConfig.enabled.is_(True), ConnectorConfig.schedule.is_not(None)
            )
        )
        wanted = {code: str(schedule) for code, schedule in rows}
    scheduler = context.scheduler
    current = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(SYNC_JOB_PREFIX)}
    for job_id, job in current.items():
        code = job_id.removeprefix(SYNC_JOB_PREFIX)
        if wanted.get(code) != job.name.removeprefix(f"{job_id} "):
            scheduler.remove_job(job_id)
    for code, schedule in wanted.items():
        job_id = f"{SYNC_JOB_PREFIX}{code}"
        if scheduler.get_job(job_id) is None:
            scheduler.add_job(
                queue_scheduled_sync,
                cron.trigger(schedule),
                args=(context, code),
                id=job_id,
                name=f"{job_id} {schedule}",
            )
    return wanted


def _every(seconds: Callable[[Config], int]) -> Callable[[Config], BaseTrigger]:
    return lambda config: IntervalTrigger(seconds=seconds(config))


JOBS = (
    JobSpec("start-queued-runs", start_queued_runs, _every(lambda c: 2)),
    JobSpec("connector-schedules", follow_connector_schedules, _every(lambda c: 60)),
    JobSpec("aggregate-dirty", aggregate_dirty_periods, _every(lambda c: c.aggregate_interval_seconds)),
    JobSpec("abandon-dead-runs", abandon_dead_runs, _every(lambda c: 300)),
)
