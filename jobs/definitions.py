"""What the active scheduler runs. Each job is a plain function of a ``JobContext`` so that
tests call it directly; the scheduler only decides when, and that one process runs it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import CursorResult, func, update

from hub.config import Config
from hub.db import transaction
from hub.models import JobRun, utcnow
from hub.services.aggregation import aggregate_dirty
from hub.state import HubState

ABANDONED = "its runner stopped answering (no heartbeat within HUB_RUN_TIMEOUT_SECONDS)"


@dataclass
class JobContext:
    state: HubState
    pool: ThreadPoolExecutor  # runs queued pulls, so that a slow feed never delays other jobs
    in_flight: set[int] = field(default_factory=set)
    scheduler: Any = None  # the APScheduler instance, for jobs that manage per-connector jobs


@dataclass(frozen=True)
class JobSpec:
    id: str
    run: Callable[[JobContext], Any]
    trigger: Callable[[Config], BaseTrigger]


def aggregate_dirty_periods(context: JobContext) -> int:
    """Recompute what pushes and pulls changed; returns the number of periods recomputed."""
    state = context.state
    with transaction(state.sessions) as session:
        return len(aggregate_dirty(session, config=state.config, trigger="scheduler"))


def abandon_dead_runs(context: JobContext) -> int:
    """Close runs whose runner died (a killed process never says so itself)."""
    state = context.state
    deadline = utcnow() - timedelta(seconds=state.config.run_timeout_seconds)
    with transaction(state.sessions) as session:
        result = cast(
            CursorResult[Any],
            session.execute(
                update(JobRun)
                .where(JobRun.status == "running")
                .where(func.coalesce(JobRun.heartbeat_at, JobRun.started_at, JobRun.created_at) < deadline)
                .values(status="abandoned", finished_at=utcnow(), error=ABANDONED)
            ),
        )
        return result.rowcount


def _every(seconds: Callable[[Config], int]) -> Callable[[Config], BaseTrigger]:
    return lambda config: IntervalTrigger(seconds=seconds(config))


JOBS = (
    JobSpec("aggregate-dirty", aggregate_dirty_periods, _every(lambda c: c.aggregate_interval_seconds)),
    JobSpec("abandon-dead-runs", abandon_dead_runs, _every(lambda c: 300)),
)
