"""``hub scheduler``: APScheduler in its own process, active only while it holds the lease.

Every scheduler started keeps trying to take the lease; the one that holds it runs the jobs,
the others stand by and take over within one lease period of the holder's death. The main
thread renews the lease; a job that fires while this process is not the holder does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
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


class Running:
    """The jobs running now, so that stopping can wait for them before APScheduler's shutdown.

    APScheduler's ``shutdown(wait=True)`` waits for running jobs while it holds its job-store
    lock, and a job that reads or changes the scheduler's jobs (``connector-schedules``) needs
    that lock: stopped at that moment, the process would hang for ever without releasing its
    lease. So stopping first refuses new jobs and waits for the running ones, then shuts down.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0
        self._stopping = False

    def enter(self) -> bool:
        """Count a job in; False once stopping has begun (the job then does nothing)."""
        with self._changed:
            if self._stopping:
                return False
            self._count += 1
            return True

    def leave(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def stop(self) -> None:
        """Refuse new jobs and wait until the running ones have finished."""
        with self._changed:
            self._stopping = True
            self._changed.wait_for(lambda: self._count == 0)


def _guarded(
    leadership: Leadership, running: Running, spec: JobSpec, context: JobContext
) -> Callable[[], None]:
    def job() -> None:
        if not leadership.active or not running.enter():
            return
        try:
            spec.run(context)
        except Exception:
            log.exception("job %s failed", spec.id)
        finally:
            running.leave()

    return job


class Stop:
    """A request to stop, safe to make from a signal handler.

    ``Event.set`` takes the lock that ``Event.wait`` holds for a moment around each wait; a
    signal handled in that moment, on the waiting main thread itself, would hang it for ever.
    ``SimpleQueue.put`` is documented as safe there."""

    def __init__(self) -> None:
        self._requests: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._requested = False

    def request(self, *_: object) -> None:
        self._requests.put(True)

    def wait(self, seconds: float) -> bool:
        """Whether stopping was requested, waiting for it at most ``seconds`` (one waiter only)."""
        if not self._requested:
            with contextlib.suppress(queue.Empty):
                self._requested = self._requests.get(timeout=seconds)
        return self._requested


def run(state: HubState, stop: Stop | None = None) -> None:
    """Run until ``stop`` is requested or SIGTERM/SIGINT arrives; then release the lease at once."""
    stop = stop or Stop()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop.request)
    leadership, running = Leadership(state), Running()
    scheduler = BackgroundScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
    )
    pool = ThreadPoolExecutor(state.config.sync_concurrency)
    context = JobContext(state=state, pool=pool, scheduler=scheduler, active=lambda: leadership.active)
    leadership.beat()
    for spec in JOBS:
        scheduler.add_job(
            _guarded(leadership, running, spec, context),
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
        running.stop()
        scheduler.shutdown(wait=True)
        context.pool.shutdown(wait=True)
        leadership.release()
        log.info("scheduler %s stopped", leadership.holder)
