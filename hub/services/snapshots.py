"""Member lists as snapshots: a changed list becomes a new snapshot, the old one stays readable.

``MemberList`` points at the submission whose snapshot is current; ``Membership`` rows
belong to one snapshot each; ``Organisation`` is one row per SIREN (or foreign id)
nationally, shared by every cluster that lists it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.orm import Session

from hub.models import MemberList, Membership, Organisation
from hub.services.bulk import insert_rows
from hub.services.dialect import upsert
from schemas.member_rules import MemberRow

ORGANISATIONS = cast(Table, Organisation.__table__)
MEMBERSHIPS = cast(Table, Membership.__table__)
MEMBER_LISTS = cast(Table, MemberList.__table__)
COUNT_CATEGORIES = text(
    "INSERT INTO member_category_counts (submission_id, category, members)"
    " SELECT m.submission_id, m.category, COUNT(*) FROM memberships m"
    " WHERE m.submission_id IN :snapshots GROUP BY m.submission_id, m.category"
).bindparams(bindparam("snapshots", expanding=True))
# The keys go as one JSON array, however many: an IN list names every key as a parameter of
# its own at each call, which cost a third of the lookup (and SQLite caps their number).
ORGANISATION_IDS = {
    "sqlite": text('SELECT "key", id FROM organisations WHERE "key" IN (SELECT value FROM json_each(:keys))'),
    "postgresql": text(
        'SELECT "key", id FROM organisations WHERE "key" IN'
        " (SELECT json_array_elements_text(CAST(:keys AS JSON)))"
    ),
}
# The snapshot a cluster's period has now, if any: a Core read, as the ORM's load of the row cost
# more than the read itself.
CURRENT_SNAPSHOT = select(MEMBER_LISTS.c.submission_id).where(
    MEMBER_LISTS.c.cluster_code == bindparam("cluster"), MEMBER_LISTS.c.period == bindparam("period")
)
FLAG_RELABELLED = text(
    "UPDATE memberships SET relabelled = TRUE WHERE submission_id IN :snapshots AND category <>"
    " (SELECT g.category FROM organisations g WHERE g.id = memberships.organisation_id)"
).bindparams(bindparam("snapshots", expanding=True))


@dataclass
class SnapshotPlan:
    members: list[MemberRow]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    previous: dict[str, tuple[object, ...]] = field(default_factory=dict)
    first: bool = True  # no snapshot yet: even an empty list is news

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }

    @property
    def changed(self) -> bool:
        return self.first or bool(self.created or self.updated or self.removed)


def _attributes(member: MemberRow) -> tuple[object, ...]:
    return (member.name, member.category, member.region, member.joined_on)


def plan_snapshot(session: Session, cluster_code: str, period: str, members: list[MemberRow]) -> SnapshotPlan:
    """Compare a member list with the current snapshot of the cluster's period."""
    current = session.execute(CURRENT_SNAPSHOT, {"cluster": cluster_code, "period": period}).scalar()
    previous: dict[str, tuple[object, ...]] = {}
    if current is not None:
        rows = session.execute(
            select(
                Organisation.key,
                Membership.name,
                Membership.category,
                Membership.region,
                Membership.joined_on,
            )
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.submission_id == current, Membership.cluster_code == cluster_code)
        )
        previous = {key: (name, category, region, joined) for key, name, category, region, joined in rows}
    plan = SnapshotPlan(members=members, previous=previous, first=current is None)
    for member in members:
        before = previous.get(member.key)
        if before is None:
            plan.created += 1
        elif before == _attributes(member):
            plan.unchanged += 1
        else:
            plan.updated += 1
    plan.removed = len(previous) - plan.unchanged - plan.updated
    return plan


def _organisation_ids(session: Session, keys: Iterable[str]) -> dict[str, int]:
    statement = ORGANISATION_IDS[session.get_bind().dialect.name]
    return {key: row_id for key, row_id in session.execute(statement, {"keys": json.dumps(list(keys))})}


def _ensure_organisations(session: Session, members: list[MemberRow]) -> dict[str, int]:
    """Ids of every member's organisation, adding the ones the hub has never seen."""
    ids = _organisation_ids(session, (m.key for m in members))
    # In key order: two lists sharing new organisations, ingested at once, then take the
    # unique-index locks in the same order and wait for each other instead of deadlocking.
    missing = sorted((m for m in members if m.key not in ids), key=lambda m: m.key)
    if missing:
        insert_rows(
            session,
            ORGANISATIONS,
            {},
            {
                "key": [m.key for m in missing],
                "siren": [m.siren for m in missing],
                "country": [m.country for m in missing],
                "foreign_id": [m.foreign_id for m in missing],
                "name": [m.name for m in missing],
                "category": [m.category for m in missing],
                "region": [m.region for m in missing],
            },
            skip_existing=("key",),
        )
        ids.update(_organisation_ids(session, (m.key for m in missing)))
    return ids


def apply_snapshot(
    session: Session, plan: SnapshotPlan, *, cluster_code: str, period: str, submission_id: int
) -> None:
    """Store the list as the new current snapshot of the period."""
    ids = _ensure_organisations(session, plan.members)
    members = plan.members
    insert_rows(
        session,
        MEMBERSHIPS,
        {"submission_id": submission_id, "cluster_code": cluster_code, "period": period},
        {
            "organisation_id": [ids[m.key] for m in members],
            "name": [m.name for m in members],
            "category": [m.category for m in members],
            "region": [m.region for m in members],
            "joined_on": [m.joined_on for m in members],
        },
    )
    statement = upsert(session.get_bind().dialect.name, MEMBER_LISTS).values(
        cluster_code=cluster_code, period=period, submission_id=submission_id, member_count=len(plan.members)
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["cluster_code", "period"],
            set_={"submission_id": submission_id, "member_count": len(plan.members)},
        )
    )
    summarise_snapshots(session, [submission_id])


def summarise_snapshots(session: Session, snapshots: list[int]) -> None:
    """What aggregation reads instead of every membership of the stored snapshots: their
    counts by the category the cluster gave each member, and which members a cluster gives
    another category than the hub first saw."""
    session.execute(COUNT_CATEGORIES, {"snapshots": snapshots})
    session.execute(FLAG_RELABELLED, {"snapshots": snapshots})
