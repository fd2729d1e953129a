"""What a cluster has submitted, read back: submissions, observations, member lists.

Lists are pages keyed by row id (``cursor`` is the last id of the previous page), which
stays correct while new rows arrive, unlike an offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer

from hub.errors import NotFound
from hub.models import MemberList, Membership, Observation, Organisation, Submission
from hub.services import payloads
from hub.services.registry import get_cluster
from schemas.observation_rules import indicator_rules


@dataclass(frozen=True)
class Page:
    items: list[Any]
    cursor: int | None  # pass back to get the next page; None on the last page


def page_of(
    session: Session,
    query: Select[*tuple[Any, ...]],
    key: Any,
    limit: int,
    cursor: int | None,
    newest: bool,
) -> Page:
    """One page of ``query`` keyed by ``key``, newest first or oldest first."""
    if cursor is not None:
        query = query.where(key < cursor if newest else key > cursor)
    rows = list(session.execute(query.order_by(key.desc() if newest else key).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1][0] if more and rows else None)


def list_submissions(session: Session, cluster_code: str, *, limit: int, cursor: int | None) -> Page:
    """The cluster's submissions, newest first, without their payloads."""
    get_cluster(session, cluster_code)
    query = select(Submission.id, Submission).options(defer(Submission.payload))
    page = page_of(
        session, query.where(Submission.cluster_code == cluster_code), Submission.id, limit, cursor, True
    )
    return Page([row[1] for row in page.items], page.cursor)


def get_submission(session: Session, cluster_code: str, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id, options=[defer(Submission.payload)])
    if submission is None or submission.cluster_code != cluster_code:
        raise NotFound(f"no submission {submission_id} for cluster {cluster_code!r}")
    return submission


def submission_payload(session: Session, cluster_code: str, submission_id: int) -> tuple[bytes, Submission]:
    """The raw body of a submission, as received, and the submission it belongs to."""
    submission = get_submission(session, cluster_code, submission_id)
    return payloads.unpack(submission.payload), submission


def list_observations(
    session: Session,
    cluster_code: str,
    *,
    period: str | None,
    indicator: str | None,
    history: bool,
    limit: int,
    cursor: int | None,
) -> Page:
    """Current values (or every revision, oldest first) of the cluster's observations."""
    get_cluster(session, cluster_code)
    query = select(Observation.id, Observation).where(Observation.cluster_code == cluster_code)
    if period is not None:
        query = query.where(Observation.period == period)
    if indicator is not None:
        query = query.where(Observation.indicator_code == indicator)
    if not history:
        query = query.where(Observation.is_current.is_(True))
    page = page_of(session, query, Observation.id, limit, cursor, False)
    return Page([_observation(row[1]) for row in page.items], page.cursor)


def _observation(row: Observation) -> dict[str, Any]:
    rule = indicator_rules().get(row.indicator_code)
    value: float | int = int(row.value) if rule is not None and rule.integer else row.value
    return {
        "indicator": row.indicator_code,
        "period": row.period,
        "dimensions": row.dimensions,
        "value": value,
        "revision": row.revision,
        "current": row.is_current,
        "submission_id": row.submission_id,
        "created_at": row.created_at,
    }


def list_members(
    session: Session,
    cluster_code: str,
    *,
    period: str,
    submission_id: int | None,
    limit: int,
    cursor: int | None,
) -> tuple[int | None, Page]:
    """A member list: the current snapshot of the period, or the one a given submission left
    current (the snapshot listed is returned with the page)."""
    get_cluster(session, cluster_code)
    if submission_id is None:
        current = session.get(MemberList, (cluster_code, period))
        if current is None:
            return None, Page([], None)
        submission_id = current.submission_id
    else:
        submission_id = _snapshot_left_by(session, cluster_code, period, submission_id)
    query = (
        select(Membership.id, Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.submission_id == submission_id,
            Membership.cluster_code == cluster_code,
            Membership.period == period,
        )
    )
    page = page_of(session, query, Membership.id, limit, cursor, False)
    return submission_id, Page([_member(m, o) for _, m, o in page.items], page.cursor)


def _snapshot_left_by(session: Session, cluster_code: str, period: str, submission_id: int) -> int:
    """The snapshot a submission left current. A list re-sent unchanged makes none: it is the
    snapshot current then, the last made before it, and not empty (its members were unchanged),
    so the last one with memberships. Any other submission is its own snapshot, or none."""
    submission = session.get(Submission, submission_id, options=[defer(Submission.payload)])
    if submission is None or (submission.cluster_code, submission.period) != (cluster_code, period):
        return submission_id
    if not submission.counts.get("members", {}).get("unchanged"):
        return submission_id
    listed = select(Membership.id).where(Membership.submission_id == Submission.id)
    made = session.scalar(
        select(func.max(Submission.id)).where(
            Submission.cluster_code == cluster_code,
            Submission.period == period,
            Submission.id <= submission_id,
            listed.exists(),
        )
    )
    return made or submission_id


def _member(membership: Membership, organisation: Organisation) -> dict[str, Any]:
    return {
        "siren": organisation.siren,
        "country": organisation.country,
        "foreign_id": organisation.foreign_id,
        "name": membership.name,
        "category": membership.category,
        "region": membership.region,
        "joined_on": membership.joined_on,
    }
