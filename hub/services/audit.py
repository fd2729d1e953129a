"""Audit trail: who did what, with what outcome; never a secret or a payload."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.models import AuditEvent, utcnow


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
