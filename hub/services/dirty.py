"""Dirty marks: the periods whose figures no longer match what clusters sent or the registry
says, by cluster, for the scheduler's next aggregation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.orm import Session

from hub.models import DirtyPeriod
from hub.services.dialect import upsert

DIRTY = cast(Table, DirtyPeriod.__table__)


@cache
def _statement(dialect: str) -> Any:
    statement = upsert(dialect, DIRTY).values(
        period=bindparam("period"), cluster_code=bindparam("cluster"), marked_at=bindparam("now")
    )
    return statement.on_conflict_do_update(
        index_elements=["period", "cluster_code"], set_={"marked_at": statement.excluded.marked_at}
    )


def mark(session: Session, cluster_code: str, periods: Iterable[str], now: datetime) -> None:
    """Mark ``periods`` dirty for ``cluster_code`` (a renewed mark moves to ``now``)."""
    rows = [{"period": period, "cluster": cluster_code, "now": now} for period in periods]
    if rows:
        session.execute(_statement(session.get_bind().dialect.name), rows)
