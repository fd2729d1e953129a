"""Removing what committed tests stored for clusters of their own, children before parents."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.models import (
    AuditEvent,
    Cluster,
    ConnectorConfig,
    DirtyPeriod,
    MemberCategoryCount,
    MemberList,
    Membership,
    Observation,
    Submission,
)


def remove_clusters(session: Session, codes: list[str]) -> None:
    snapshots = select(Submission.id).where(Submission.cluster_code.in_(codes))
    session.execute(delete(MemberCategoryCount).where(MemberCategoryCount.submission_id.in_(snapshots)))
    for model in (Observation, Membership, MemberList, DirtyPeriod, Submission, AuditEvent, ConnectorConfig):
        session.execute(delete(model).where(model.cluster_code.in_(codes)))
    session.execute(delete(Cluster).where(Cluster.code.in_(codes)))
