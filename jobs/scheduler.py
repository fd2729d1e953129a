"""``hub scheduler``: APScheduler in its own process, active only while it holds the lease.

Every scheduler started keeps trying to take the lease; the one that holds it runs the jobs,
the others stand by and take over within one lease period of the holder's death. The main
thread renews the lease; a job that fires while this process is not the holder does nothing.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler

from hub.db import transaction
from hub.models import utcnow
from hub.state import HubState
from jobs import lease
from jobs.definitions import JOBS, JobContext, JobSpec

log = logging.getLogger(__name__)


class Leadership:
    """This process's view of the lease, renewed every third of its lifetime."""

    def __init__(self, state: HubState) -> None:
        self.state = state
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = state.config.scheduler_lease_seconds
        self.interval = max(self.ttl / 3, 0.5)
        self._active = threading.Event()

    @property
    def active(self) -> bool:
        return self._active.is_set()

    def beat(self) -> None:
        """Take or renew the lease; any failure (database gone) means standing by."""
        try:
            with transaction(self.state.sessions) as session:
                held = lease.acquire(session, self.holder, ttl_seconds=self.ttl)
        except Exception:
            log.exception("scheduler: could not renew the lease; standing by")
            held = False
        if held != self.active:
            log.warning("scheduler %s is now %s", self.holder, "active" if held else "standing by")
        (self._active.set if held else self._active.clear)()

    def release(self) -> None:
        if self.active:
            with transaction(self.state.sessions) as session:
                lease.release(session, self.holder)
            self._active.clear()


def _guarded(leadership: Leadership, spec: JobSpec, context: JobContext) -> Callable[[], None]:
    def job() -> None:
        if not leadership.active:
            return
        try:
            spec.run(context)
        except Exception:
            log.exception("job %s failed", spec.id)

    return job


def run(state: HubState, stop: threading.Event | None = None) -> None:
    """Run until ``stop`` is set or SIGTERM/SIGINT arrives; then release the lease at once."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    leadership = Leadership(state)
    scheduler = BackgroundScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
    )
    pool = ThreadPoolExecutor(state.config.sync_concurrency)
    context = JobContext(state=state, pool=pool, scheduler=scheduler, active=lambda: leadership.active)
    leadership.beat()
    for spec in JOBS:
        scheduler.add_job(
            _guarded(leadership, spec, context),
            spec.trigger(state.config),
            id=spec.id,
            name=spec.id,
            next_run_time=utcnow(),
        )
    scheduler.start()
    log.info("scheduler %s started (%s)", leadership.holder, "active" if leadership.active else "standing by")
    try:
        while not stop.wait(leadership.interval):
            leadership.beat()
    finally:
        scheduler.shutdown(wait=True)
        context.pool.shutdown(wait=True)
        leadership.release()
        log.info("scheduler %s stopped", leadership.holder)
