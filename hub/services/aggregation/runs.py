"""The ``JobRun`` record of each aggregation and the dirty marks it consumes."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, select
from sqlalchemy.orm import Session

from hub.models import DirtyPeriod, JobRun, utcnow

DirtyMarks = dict[str, list[tuple[str, datetime]]]

# The longest a period whose runs keep failing waits for its next run (unless the base wait is
# longer): long enough that a period broken for a day leaves a few dozen failed runs, not one
# per pass, short enough that a fix is seen within the hour.
LONGEST_WAIT_SECONDS = 3600


def start_run(session: Session, period: str, *, trigger: str, requested_by: str | None) -> JobRun:
    now = utcnow()
    run = JobRun(
        kind="aggregate",
        period=period,
        status="running",
        trigger=trigger,
        requested_by=requested_by,
        created_at=now,
        started_at=now,
    )
    session.add(run)
    session.flush()
    return run


def record_failure(
    session: Session, period: str, error: BaseException, *, trigger: str, requested_by: str | None
) -> None:
    """Keep a failed run visible: the work is rolled back (the run's row with it), its record is not."""
    session.rollback()
    run = start_run(session, period, trigger=trigger, requested_by=requested_by)
    run.status, run.error, run.finished_at = "failed", f"{type(error).__name__}: {error}", utcnow()
    session.commit()


def finish_run(run: JobRun, counts: dict[str, Any]) -> None:
    run.status, run.counts, run.finished_at = "succeeded", counts, utcnow()


def dirty_marks(session: Session, period: str | None = None) -> DirtyMarks:
    """The dirty marks as they are now, by period: (cluster, marked_at) pairs."""
    query = select(DirtyPeriod.period, DirtyPeriod.cluster_code, DirtyPeriod.marked_at)
    if period is not None:
        query = query.where(DirtyPeriod.period == period)
    marks: DirtyMarks = defaultdict(list)
    for row_period, cluster, marked_at in session.execute(query):
        marks[row_period].append((cluster, marked_at))
    return marks


def clear_marks(session: Session, period: str, marks: list[tuple[str, datetime]]) -> None:
    """Delete the marks this run saw; a mark renewed during the run has a newer time and stays."""
    if not marks:
        return
    table: Table = DirtyPeriod.__table__  # type: ignore[assignment]
    session.execute(
        delete(table).where(
            and_(
                table.c.period == bindparam("p"),
                table.c.cluster_code == bindparam("c"),
                table.c.marked_at == bindparam("m", type_=table.c.marked_at.type),
            )
        ),
        [{"p": period, "c": cluster, "m": marked_at} for cluster, marked_at in marks],
    )


def held_back_until(
    session: Session, period: str, marks: list[tuple[str, datetime]], *, base_seconds: int
) -> datetime | None:
    """Until when a period whose latest runs failed waits (None: it may run now).

    After one failed run it is tried again at once (at the scheduler's next pass); after two in
    a row it waits ``base_seconds`` (one pass), after three three times that, then seven, so
    that the passes between tries double, up to ``LONGEST_WAIT_SECONDS``. A push or pull to the
    period since its last failure ends the wait: what failed may have been the data."""
    latest = session.execute(
        select(JobRun.status, JobRun.finished_at)
        .where(JobRun.period == period, JobRun.kind == "aggregate")
        .order_by(JobRun.id.desc())
        .limit(16)  # 2**15 times any wait of a second or more is past the longest
    ).all()
    failed = list(itertools.takewhile(lambda run: run.status == "failed", latest))
    if not failed:
        return None
    last = failed[0].finished_at
    if any(marked_at > last for _, marked_at in marks):
        return None
    wait = min(base_seconds * (2 ** (len(failed) - 1) - 1), max(base_seconds, LONGEST_WAIT_SECONDS))
    until: datetime = last + timedelta(seconds=wait)
    return until if until > utcnow() else None
