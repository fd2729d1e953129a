"""The ``JobRun`` record of each aggregation and the dirty marks it consumes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, select
from sqlalchemy.orm import Session

from hub.models import DirtyPeriod, JobRun, utcnow

DirtyMarks = dict[str, list[tuple[str, datetime]]]


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
