"""Observation revisions: a changed value is a new row, the old one stops being current.

Values are never updated in place. The current values of a cluster's period are read in
one query, compared in Python, and the new revisions inserted with one ``executemany``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from hub.models import Observation
from hub.services.bulk import insert_rows
from schemas.observation_rules import ObservationRow

OBSERVATIONS = cast(Table, Observation.__table__)
BATCH = 10_000  # rows per executemany: bounds the memory of the parameter lists

# Built once: statement construction costs more than its execution for a 30-row push.
CURRENT = select(
    OBSERVATIONS.c.id,
    OBSERVATIONS.c.indicator_code,
    OBSERVATIONS.c.dims_key,
    OBSERVATIONS.c.value,
    OBSERVATIONS.c.revision,
).where(
    OBSERVATIONS.c.cluster_code == bindparam("cluster"),
    OBSERVATIONS.c.period == bindparam("period"),
    OBSERVATIONS.c.is_current.is_(True),
)
RETIRE = (
    update(OBSERVATIONS)
    .where(OBSERVATIONS.c.id.in_(bindparam("old_ids", expanding=True)))
    .values(is_current=False)
)


@dataclass
class RevisionPlan:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (row, revision) for every value to insert; ids of the rows they supersede.
    inserts: list[tuple[ObservationRow, int]] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    @property
    def changed(self) -> bool:
        return bool(self.inserts)


def plan_revisions(
    session: Session, cluster_code: str, period: str, rows: list[ObservationRow]
) -> RevisionPlan:
    """Compare ``rows`` with the current values: what is new, what changed, what did not."""
    plan = RevisionPlan()
    if not rows:
        return plan
    current = {
        (code, key): (row_id, value, revision)
        for row_id, code, key, value, revision in session.execute(
            CURRENT, {"cluster": cluster_code, "period": period}
        )
    }
    for row in rows:
        found = current.get((row.indicator, row.dims_key))
        if found is None:
            plan.created += 1
            plan.inserts.append((row, 1))
        elif found[1] == row.value:
            plan.unchanged += 1
        else:
            plan.updated += 1
            plan.inserts.append((row, found[2] + 1))
            plan.superseded.append(found[0])
    return plan


def apply_revisions(
    session: Session, plan: RevisionPlan, *, cluster_code: str, period: str, submission_id: int, now: datetime
) -> None:
    """Retire superseded rows, then insert the new revisions (the current-row index allows one)."""
    for start in range(0, len(plan.superseded), BATCH):
        session.execute(RETIRE, {"old_ids": plan.superseded[start : start + BATCH]})
    constants = {
        "cluster_code": cluster_code,
        "period": period,
        "is_current": True,
        "submission_id": submission_id,
        "created_at": now,
    }
    for start in range(0, len(plan.inserts), BATCH):
        batch = plan.inserts[start : start + BATCH]
        columns: dict[str, list[Any]] = {
            "indicator_code": [row.indicator for row, _ in batch],
            "dims_key": [row.dims_key for row, _ in batch],
            "dimensions": [row.dimensions for row, _ in batch],
            "value": [float(row.value) for row, _ in batch],
            "revision": [revision for _, revision in batch],
        }
        insert_rows(session, OBSERVATIONS, constants, columns)
