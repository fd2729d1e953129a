"""Real ``hub scheduler`` processes: one active at a time, and a takeover when it dies."""

import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy.orm import Session

from jobs.lease import scheduler_status

pytestmark = pytest.mark.xdist_group("processes")

LEASE_SECONDS = 6  # renewed every 2 s


def _start(env, log):
    """A scheduler whose log goes to a file: an unread pipe would block it once full."""
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hub", "scheduler"],
            env={**env, "HUB_SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _holder(engine) -> str | None:
    with Session(engine) as session:
        status = scheduler_status(session)
    return status.get("holder")


def _wait_for_holder(engine, pids, seconds) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        holder = _holder(engine)
        for pid in pids:
            if holder and f":{pid}:" in holder:
                return pid
        time.sleep(0.2)
    raise AssertionError(f"none of {pids} became active within {seconds} s (holder: {_holder(engine)})")


@pytest.fixture
def schedulers(shared_database, tmp_path):
    env, engine = shared_database
    processes = [_start(env, tmp_path / f"scheduler-{n}.log") for n in (1, 2)]
    yield processes, engine
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
    for log in sorted(tmp_path.glob("scheduler-*.log")):
        print(f"--- {log.name}\n{log.read_text()}")  # shown by pytest when a test failed


def test_only_one_of_two_schedulers_is_active_and_the_other_takes_over_when_it_dies(schedulers):
    processes, engine = schedulers
    by_pid = {p.pid: p for p in processes}
    active = _wait_for_holder(engine, list(by_pid), 20)
    time.sleep(LEASE_SECONDS)
    assert f":{active}:" in (_holder(engine) or "")
    by_pid[active].kill()
    by_pid[active].wait()
    (standby,) = set(by_pid) - {active}
    assert _wait_for_holder(engine, [standby], LEASE_SECONDS * 4) == standby


def test_a_stopped_scheduler_releases_its_lease_at_once(schedulers):
    processes, engine = schedulers
    by_pid = {p.pid: p for p in processes}
    active = _wait_for_holder(engine, list(by_pid), 20)
    by_pid[active].send_signal(signal.SIGTERM)
    assert by_pid[active].wait(timeout=20) == 0
    (standby,) = set(by_pid) - {active}
    # sooner than the lease would expire: the lease was released, not left to run out
    assert _wait_for_holder(engine, [standby], LEASE_SECONDS * 2 / 3) == standby
