"""Only one scheduler is active however many are started; a dead one's lease is taken over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.models import SchedulerLease, utcnow
from jobs.lease import acquire, release


def test_the_first_scheduler_takes_the_lease(db: Session) -> None:
    assert acquire(db, "a", ttl_seconds=30)


def test_a_second_scheduler_stands_by_while_the_lease_is_live(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    assert not acquire(db, "b", ttl_seconds=30)


def test_the_holder_renews_its_lease(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    assert acquire(db, "a", ttl_seconds=30)


def test_an_expired_lease_is_taken_over(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    db.execute(update(SchedulerLease).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert acquire(db, "b", ttl_seconds=30)
    assert not acquire(db, "a", ttl_seconds=30)


def test_a_released_lease_is_taken_over_at_once(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    release(db, "a")
    assert acquire(db, "b", ttl_seconds=30)
