"""The lease that makes one scheduler active however many run: a row in
``scheduler_leases`` held by one process until it stops renewing it, after which any
other scheduler takes it over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.models import SchedulerLease, utcnow

LEASE_NAME = "scheduler"


def acquire(session: Session, holder: str, *, ttl_seconds: int, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease; True when ``holder`` is the active scheduler afterwards.

    One conditional UPDATE decides between competitors: it succeeds for the holder and,
    once the lease has expired, for exactly one other process.
    """
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    renewed = cast(
        CursorResult[Any],
        session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name)
            .where((SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
            .values(holder=holder, expires_at=expires, heartbeat_at=now)
        ),
    )
    if renewed.rowcount == 1:
        return True
    try:
        with session.begin_nested():
            session.execute(
                insert(SchedulerLease).values(name=name, holder=holder, expires_at=expires, heartbeat_at=now)
            )
    except IntegrityError:
        return False
    return True


def release(session: Session, holder: str, *, name: str = LEASE_NAME) -> None:
    """Let another scheduler take over at once instead of after the lease expires."""
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=utcnow())
    )


def scheduler_status(session: Session, *, name: str = LEASE_NAME) -> dict[str, Any]:
    """What ``/readyz`` says of the scheduler: whether one holds a live lease, and since when
    it last renewed it. A missing scheduler does not make the web application unready."""
    lease = session.get(SchedulerLease, name)
    if lease is None or lease.expires_at < utcnow():
        return {"status": "none active"}
    return {"status": "active", "holder": lease.holder, "heartbeat_at": lease.heartbeat_at.isoformat()}
