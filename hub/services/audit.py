"""Audit trail: who did what, with what outcome; never a secret or a payload."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from hub.models import AuditEvent, utcnow

AUDIT_INSERT = insert(cast(Table, AuditEvent.__table__))


def record(
    session: Session,
    *,
    actor: str | None,
    action: str,
    outcome: str,
    cluster: str | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=utcnow(), actor=actor, action=action, outcome=outcome, cluster_code=cluster, details=details
    )
    session.add(event)
    return event


def write(
    session: Session,
    *,
    actor: str | None,
    action: str,
    outcome: str,
    cluster: str | None = None,
    **details: Any,
) -> None:
    """``record`` as one Core INSERT, for hot paths where the ORM flush costs more than the write."""
    session.execute(
        AUDIT_INSERT,
        {
            "at": utcnow(),
            "actor": actor,
            "action": action,
            "outcome": outcome,
            "cluster_code": cluster,
            "details": details,
        },
    )
