"""Stopping ``jobs.scheduler.run`` in this process, with a job of our own choosing."""

import threading
import time

from apscheduler.triggers.interval import IntervalTrigger

from hub.config import Config
from hub.state import HubState
from jobs import scheduler
from jobs.definitions import JobSpec


def test_stopping_waits_for_a_job_that_reads_the_schedulers_jobs(shared_database, monkeypatch):
    env, engine = shared_database
    state = HubState.build(Config.from_env(env), engine)
    stop, started, stopping, answered = scheduler.Stop(), threading.Event(), threading.Event(), []

    def reads_the_jobs(context):
        """Like ``connector-schedules``: it asks the scheduler for its jobs, here once stopping has begun."""
        started.set()
        stopping.wait()
        time.sleep(0.3)  # long enough for a shutdown to take APScheduler's locks, had it not waited
        reader = threading.Thread(target=context.scheduler.get_jobs, daemon=True)
        reader.start()
        reader.join(timeout=5)
        answered.append(not reader.is_alive())

    job = JobSpec("reads-the-jobs", reads_the_jobs, lambda config: IntervalTrigger(seconds=60))
    monkeypatch.setattr(scheduler, "JOBS", (job,))
    runner = threading.Thread(target=scheduler.run, args=(state, stop))
    runner.start()
    assert started.wait(timeout=20)
    stopping.set()
    stop.request()
    runner.join(timeout=20)
    assert not runner.is_alive()
    assert answered == [True]  # the scheduler answered the job: no shutdown held its locks
