"""Serialise writers of one cluster and period, so racing submissions keep a coherent history,
and aggregation runs of one period against each other and against the period's pushes, so
that two runs at once do not write its cells twice and a run's statements all see the same
pushes; and the configurations of one cluster's connector, so that two at once do not both
insert it.

On PostgreSQL transaction-scoped advisory locks do it: a push holds its series' lock and a
shared lock on its period, a run the period's lock alone; SQLite transactions begin
``IMMEDIATE`` (``hub.db``), so the database's single write lock already serialises them.
A push takes its locks in the same statement that checks the cluster exists: on PostgreSQL
every round trip shows in the push rate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.orm import Session

from hub.models import Cluster

CLUSTERS = cast(Table, Cluster.__table__)
CLUSTER_EXISTS = select(CLUSTERS.c.code).where(CLUSTERS.c.code == bindparam("code"))
CLUSTER_LOCKED = text(
    "SELECT code, pg_advisory_xact_lock(:key), pg_advisory_xact_lock_shared(:period_key)"
    " FROM clusters WHERE code = :code"
)
LOCKED = text("SELECT pg_advisory_xact_lock(:key)")
SHARED = text("SELECT pg_advisory_xact_lock_shared(:key)")


def lock_key(*parts: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` (``hash()`` varies per process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def cluster_exists(session: Session, cluster_code: str) -> bool:
    return session.execute(CLUSTER_EXISTS, {"code": cluster_code}).first() is not None


def claim_series(session: Session, cluster_code: str, period: str) -> bool:
    """Whether the cluster exists; if so, wait until no other transaction writes its period
    and none aggregates the period.

    The locks are released at commit or rollback.
    """
    if session.get_bind().dialect.name != "postgresql":
        return cluster_exists(session, cluster_code)
    keys = {"key": lock_key(cluster_code, period), "period_key": _period_key(period)}
    return session.execute(CLUSTER_LOCKED, {**keys, "code": cluster_code}).first() is not None


def claim_period(session: Session, period: str) -> None:
    """Wait until no other transaction aggregates ``period`` or pushes to it, and keep pushes
    from committing until this transaction ends.

    Without it, on PostgreSQL, a run deleting the period's cells while another one's new
    cells are not yet committed leaves those in place and writes its own beside them; and a
    push committing during a run is seen by some of its statements and not by others, so
    that its cells, completeness and dirty marks disagree until the next run."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(LOCKED, {"key": _period_key(period)})


def hold_periods(session: Session, periods: Iterable[str]) -> None:
    """What a push does to its period, for a change to several (a registry move): wait until
    none of them is being aggregated, and keep them from being aggregated until this
    transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        for period in sorted(periods):
            session.execute(SHARED, {"key": _period_key(period)})


def claim_connector(session: Session, cluster_code: str) -> None:
    """Wait until no other transaction configures the cluster's connector: two at once would
    both find none stored, and the second insert would fail."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(LOCKED, {"key": lock_key("connector", cluster_code)})


def _period_key(period: str) -> int:
    return lock_key("aggregation", "period", period)
