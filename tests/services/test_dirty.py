"""Dirty marks: one per cluster and period, moved to the latest change."""

from datetime import timedelta

from sqlalchemy import select

from hub.models import DirtyPeriod, utcnow
from hub.services import dirty


def _marks(db):
    return db.execute(select(DirtyPeriod.period, DirtyPeriod.cluster_code, DirtyPeriod.marked_at)).all()


def test_each_period_is_marked_for_the_cluster(db):
    now = utcnow()
    dirty.mark(db, "medicen", ["2024", "2025-Q1"], now)
    assert sorted(_marks(db)) == [("2024", "medicen", now), ("2025-Q1", "medicen", now)]


def test_a_renewed_mark_moves_to_the_latest_change(db):
    earlier = utcnow() - timedelta(minutes=5)
    dirty.mark(db, "medicen", ["2024"], earlier)
    dirty.mark(db, "medicen", ["2024"], earlier + timedelta(minutes=1))
    assert _marks(db) == [("2024", "medicen", earlier + timedelta(minutes=1))]
