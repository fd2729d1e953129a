"""Only one scheduler is active however many are started; a dead one's lease is taken over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.models import SchedulerLease, utcnow
from jobs.lease import acquire, release, scheduler_status


def test_the_first_scheduler_takes_the_lease(db: Session) -> None:
    assert acquire(db, "a", ttl_seconds=30)


def test_a_second_scheduler_stands_by_while_the_lease_is_live(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    assert not acquire(db, "b", ttl_seconds=30)


def test_the_holder_renews_its_lease(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    assert acquire(db, "a", ttl_seconds=30)


def expire_lease(db: Session) -> None:
    db.execute(update(SchedulerLease).values(expires_at=utcnow() - timedelta(seconds=1)))


def test_a_renewal_moves_the_heartbeat(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    long_ago = utcnow() - timedelta(minutes=5)
    db.execute(update(SchedulerLease).values(heartbeat_at=long_ago))
    acquire(db, "a", ttl_seconds=30)
    assert db.scalars(select(SchedulerLease.heartbeat_at)).one() > long_ago


def test_an_expired_lease_is_taken_over(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    expire_lease(db)
    assert acquire(db, "b", ttl_seconds=30)
    assert not acquire(db, "a", ttl_seconds=30)


def test_a_released_lease_is_taken_over_at_once(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    release(db, "a")
    assert acquire(db, "b", ttl_seconds=30)


def test_a_scheduler_cannot_release_another_ones_lease(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    release(db, "b")
    assert not acquire(db, "b", ttl_seconds=30)


def test_the_status_names_the_holder_of_a_live_lease_and_its_last_renewal(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    renewed = db.scalars(select(SchedulerLease.heartbeat_at)).one()
    assert scheduler_status(db) == {"status": "active", "holder": "a", "heartbeat_at": renewed.isoformat()}


def test_an_expired_lease_shows_no_active_scheduler(db: Session) -> None:
    acquire(db, "a", ttl_seconds=30)
    expire_lease(db)
    assert scheduler_status(db) == {"status": "none active"}
