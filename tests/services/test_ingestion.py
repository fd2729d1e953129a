"""The ingestion service: atomic, revisioned, idempotent submissions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import Conflict, InvalidInput, NotFound
from hub.models import AuditEvent, DirtyPeriod, MemberList, Observation, Submission
from hub.services.ingestion import submit

CLUSTER = "medicen"
MEMBER = {"siren": "732829320", "name": "Exemple SAS", "category": "SME", "region": "FR-IDF"}


def body(**values: Any) -> dict[str, Any]:
    observations = [
        {"indicator": "PROJECTS_FUNDED", "value": values.get("funded", 12), "dimensions": {"funder": "ANR"}},
        {"indicator": "BUDGET_EUR", "value": values.get("budget", 1850000)},
    ]
    return {"period": "2025", "observations": observations, "members": values.get("members", [MEMBER])}


def push(db: Session, document: dict[str, Any], **options: Any) -> Any:
    return submit(db, cluster_code=CLUSTER, document=document, source="push", actor="tester", **options)


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_new_submission_creates_every_value_and_member(db: Session) -> None:
    result = push(db, body())
    assert result.counts["observations"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert result.counts["members"]["created"] == 1
    assert result.submission_id is not None and not result.replayed


def test_an_identical_resend_counts_everything_unchanged(db: Session) -> None:
    push(db, body())
    again = push(db, body())
    assert again.counts["observations"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.counts["members"] == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
    assert count(db, Submission) == 2


def test_a_changed_value_becomes_a_new_revision(db: Session) -> None:
    push(db, body())
    result = push(db, body(funded=13))
    assert result.counts["observations"] == {"created": 0, "updated": 1, "unchanged": 1}
    rows = db.execute(
        select(Observation.revision, Observation.value, Observation.is_current)
        .where(Observation.indicator_code == "PROJECTS_FUNDED")
        .order_by(Observation.revision)
    ).all()
    assert [tuple(row) for row in rows] == [(1, 12.0, False), (2, 13.0, True)]


def test_a_submission_marks_its_period_dirty(db: Session) -> None:
    push(db, body())
    assert db.get(DirtyPeriod, ("2025", CLUSTER)) is not None


def test_a_bad_row_stores_nothing_and_lists_its_path(db: Session) -> None:
    document = body(budget=-1)
    with pytest.raises(InvalidInput) as caught:
        push(db, document)
    assert [problem.path for problem in caught.value.errors] == ["observations[1].value"]
    assert count(db, Submission) == 0 and count(db, Observation) == 0 and count(db, MemberList) == 0
    assert db.scalars(select(AuditEvent.outcome).where(AuditEvent.action == "submission")).all() == [
        "rejected"
    ]


def test_an_unknown_cluster_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        submit(db, cluster_code="nope", document=body(), source="push", actor="tester")


def test_the_same_idempotency_key_replays_the_first_answer(db: Session) -> None:
    first = push(db, body(), idempotency_key="k1")
    second = push(db, body(), idempotency_key="k1")
    assert second.replayed and second.submission_id == first.submission_id
    assert second.counts == first.counts
    assert count(db, Submission) == 1


def test_the_same_idempotency_key_with_another_body_is_a_conflict(db: Session) -> None:
    push(db, body(), idempotency_key="k1")
    with pytest.raises(Conflict):
        push(db, body(funded=99), idempotency_key="k1")


def test_a_dry_run_stores_nothing(db: Session) -> None:
    result = push(db, body(), dry_run=True)
    assert result.submission_id is None and result.dry_run
    assert result.counts["observations"]["created"] == 2
    assert count(db, Submission) == 0 and count(db, Observation) == 0
