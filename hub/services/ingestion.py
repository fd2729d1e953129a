"""Ingestion of one submission (push or pull): validated whole, stored whole, or refused whole.

The service commits: a submission, its observations, its member snapshot, the dirty marks
for aggregation and the audit event are one transaction. A refusal leaves the caller's
session rolled back and records the rejection in a transaction of its own, because the
audit trail must show refused pushes too.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.errors import Conflict, FieldProblem, HubError, InvalidInput, NotFound
from hub.models import Submission, utcnow
from hub.services import audit, dirty, payloads
from hub.services.locks import claim_series, cluster_exists
from hub.services.revisions import apply_revisions, plan_revisions
from hub.services.snapshots import SnapshotPlan, apply_snapshot, plan_snapshot
from hub.services.warnings import submission_warnings
from schemas.csv_format import check_csv
from schemas.submission import CheckedSubmission, check_submission

NO_MEMBERS = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
SUBMISSIONS = cast(Table, Submission.__table__)
INSERT_SUBMISSION = insert(SUBMISSIONS).returning(SUBMISSIONS.c.id)
AUDITED_PATHS = 20  # the first problem paths go into the audit event, never the values


@dataclass(frozen=True)
class IngestionResult:
    submission_id: int | None  # None for a dry run
    cluster: str
    period: str
    status: str
    dry_run: bool
    counts: dict[str, dict[str, int]]
    warnings: list[dict[str, Any]]
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        """The response body of DESIGN.md."""
        return {
            "id": self.submission_id,
            "cluster": self.cluster,
            "period": self.period,
            "status": self.status,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "warnings": self.warnings,
        }


@dataclass
class _Request:
    cluster_code: str
    source: str
    actor: str | None
    content_type: str
    run_id: int | None
    dry_run: bool
    idempotency_key: str | None
    packed: bytes = b""
    sha256: str = ""
    csv_period: str = ""  # a CSV body's period comes with the request, not in the body

    @property
    def fingerprint(self) -> str:
        """What makes two requests "the same body" for an idempotency key."""
        parts = [self.cluster_code, self.content_type, self.csv_period, self.sha256]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """The bytes kept for a document that came without its own (a pull's); a lone surrogate
    in it is kept as it came, for the rules to refuse, rather than failing the encoding."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8", "surrogatepass")


def submit(
    session: Session,
    *,
    cluster_code: str,
    document: Mapping[str, Any],
    source: str,
    actor: str | None,
    payload: bytes | None = None,
    content_type: str = "application/json",
    run_id: int | None = None,
    dry_run: bool = False,
    idempotency_key: str | None = None,
) -> IngestionResult:
    """Ingest a submission body (DESIGN.md shape); ``payload`` is the raw bytes to keep."""
    request = _Request(cluster_code, source, actor, content_type, run_id, dry_run, idempotency_key)
    request.packed, request.sha256 = payloads.pack(canonical_json(document) if payload is None else payload)
    return _ingest(session, request, lambda: check_submission(document))


def submit_json(
    session: Session, *, cluster_code: str, payload: bytes, source: str, actor: str | None, **options: Any
) -> IngestionResult:
    """Ingest raw JSON bytes, refusing (and auditing) a body that is not JSON at all."""
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as error:
        refusal = InvalidInput([FieldProblem("", _unreadable_json(error))])
        refuse_unread(
            session,
            cluster_code=cluster_code,
            source=source,
            actor=actor,
            content_type="application/json",
            error=refusal,
        )
        raise refusal from error
    return submit(
        session,
        cluster_code=cluster_code,
        document=document,
        source=source,
        actor=actor,
        payload=payload,
        **options,
    )


def _unreadable_json(error: ValueError | RecursionError) -> str:
    """Why the body cannot be read. Python's parser stops at a nesting as deep as its recursion
    limit and at an integer longer than ``sys.get_int_max_str_digits()``, which keeps a body
    from costing a worker its stack or quadratic time: such a body is as unreadable as any."""
    if isinstance(error, RecursionError):
        return "the body is not valid JSON: its arrays or objects are nested too deeply"
    if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
        return f"the body is not valid JSON: {error}"
    return f"the body is not valid JSON: a number has more than {sys.get_int_max_str_digits()} digits"


def submit_csv(
    session: Session,
    *,
    cluster_code: str,
    period: str,
    stream: IO[bytes],
    source: str,
    actor: str | None,
    content_type: str = "text/csv",
    run_id: int | None = None,
    dry_run: bool = False,
    idempotency_key: str | None = None,
) -> IngestionResult:
    """Ingest a CSV body read from ``stream`` once, row by row, for the cluster's ``period``."""
    request = _Request(cluster_code, source, actor, content_type, run_id, dry_run, idempotency_key)
    request.csv_period = period
    tee = payloads.TeeReader(stream)
    try:
        checked = check_csv(tee.text(), period)
    except UnicodeDecodeError as error:
        checked = CheckedSubmission(
            period=period, problems=[("line 1", f"the body is not UTF-8 text: {error.reason}")]
        )
    tee.drain()
    request.packed, request.sha256 = tee.packed()
    return _ingest(session, request, lambda: checked)


def _ingest(session: Session, request: _Request, check: Callable[[], CheckedSubmission]) -> IngestionResult:
    try:
        checked = check()
        writes = not (checked.problems or request.dry_run)
        if writes:
            found = claim_series(session, request.cluster_code, checked.period)
        else:
            found = cluster_exists(session, request.cluster_code)
        if not found:
            raise NotFound(f"no cluster {request.cluster_code!r}")
        if checked.problems:
            raise InvalidInput([FieldProblem(path, message) for path, message in checked.problems])
        if request.dry_run:
            return _dry_run(session, request, checked)
        return _store(session, request, checked)
    except HubError as error:
        _refuse(session, request, error)
        raise


def _earlier(session: Session, request: _Request) -> Submission | None:
    """The submission stored under the request's idempotency key; a different body under it is
    a conflict, for a dry run too: it must not call valid what the push will refuse."""
    if request.idempotency_key is None:
        return None
    earlier = session.scalar(
        select(Submission).where(
            Submission.client_id == request.actor, Submission.idempotency_key == request.idempotency_key
        )
    )
    if earlier is not None and earlier.request_fingerprint != request.fingerprint:
        raise Conflict(f"Idempotency-Key {request.idempotency_key!r} was used for a different request")
    return earlier


def _replay(session: Session, request: _Request) -> IngestionResult | None:
    """The first answer for a reused idempotency key."""
    earlier = _earlier(session, request)
    if earlier is None:
        return None
    result = IngestionResult(
        earlier.id,
        earlier.cluster_code,
        earlier.period,
        earlier.status,
        False,
        earlier.counts,
        earlier.warnings,
        True,
    )
    session.rollback()
    _audit_alone(session, request, "replayed", submission=earlier.id)
    return result


def _dry_run(session: Session, request: _Request, checked: CheckedSubmission) -> IngestionResult:
    _earlier(session, request)
    revisions = plan_revisions(session, request.cluster_code, checked.period, checked.observations)
    snapshot = _snapshot_plan(session, request, checked)
    counts = {
        "observations": revisions.counts(),
        "members": snapshot.counts() if snapshot else dict(NO_MEMBERS),
    }
    warnings = submission_warnings(checked, snapshot)
    result = IngestionResult(None, request.cluster_code, checked.period, "accepted", True, counts, warnings)
    session.rollback()
    _audit_alone(session, request, "validated", period=checked.period, counts=counts)
    return result


def _snapshot_plan(session: Session, request: _Request, checked: CheckedSubmission) -> SnapshotPlan | None:
    if checked.members is None:
        return None
    return plan_snapshot(session, request.cluster_code, checked.period, checked.members)


def _store(session: Session, request: _Request, checked: CheckedSubmission) -> IngestionResult:
    cluster, period, now = request.cluster_code, checked.period, utcnow()
    replay = _replay(session, request)  # after the lock: a racing twin with the same key has committed
    if replay is not None:
        return replay
    revisions = plan_revisions(session, cluster, period, checked.observations)
    snapshot = _snapshot_plan(session, request, checked)
    counts = {
        "observations": revisions.counts(),
        "members": snapshot.counts() if snapshot else dict(NO_MEMBERS),
    }
    warnings = submission_warnings(checked, snapshot)
    values = {
        "cluster_code": cluster,
        "period": period,
        "status": "accepted",
        "source": request.source,
        "client_id": request.actor,
        "run_id": request.run_id,
        "content_type": request.content_type,
        "payload": request.packed,
        "payload_sha256": request.sha256,
        "idempotency_key": request.idempotency_key,
        "request_fingerprint": request.fingerprint,
        "counts": counts,
        "warnings": warnings,
        "received_at": now,
    }
    try:
        submission_id = session.execute(INSERT_SUBMISSION, values).scalar_one()
    except IntegrityError:
        session.rollback()
        replay = _replay(session, request)
        if replay is None:
            raise
        return replay
    if revisions.changed:
        apply_revisions(
            session, revisions, cluster_code=cluster, period=period, submission_id=submission_id, now=now
        )
    if snapshot is not None and snapshot.changed:
        apply_snapshot(session, snapshot, cluster_code=cluster, period=period, submission_id=submission_id)
    if revisions.changed or (snapshot is not None and snapshot.changed):
        dirty.mark(session, cluster, [period], now)
    audit.write(
        session,
        actor=request.actor,
        action="submission",
        outcome="accepted",
        cluster=cluster,
        **_audit_details(request, submission=submission_id, period=period, counts=counts),
    )
    session.commit()
    return IngestionResult(submission_id, cluster, period, "accepted", False, counts, warnings)


def _audit_details(request: _Request, **details: Any) -> dict[str, Any]:
    return {
        "client": request.actor,
        "source": request.source,
        "run_id": request.run_id,
        "dry_run": request.dry_run,
        "content_type": request.content_type,
        "bytes_sha256": request.sha256 or None,
        **details,
    }


def _audit_alone(session: Session, request: _Request, outcome: str, **details: Any) -> None:
    audit.write(
        session,
        actor=request.actor,
        action="submission",
        outcome=outcome,
        cluster=request.cluster_code,
        **_audit_details(request, **details),
    )
    session.commit()


def refuse_unread(
    session: Session, *, cluster_code: str, source: str, actor: str | None, content_type: str, error: HubError
) -> None:
    """Record a submission refused before its body could be checked (not JSON, too large, of
    another type) as ingestion records the others; the caller raises ``error``."""
    _refuse(session, _Request(cluster_code, source, actor, content_type, None, False, None), error)


def _refuse(session: Session, request: _Request, error: HubError) -> None:
    """Roll back everything, then record the refusal in its own transaction; the caller re-raises."""
    session.rollback()
    problems = getattr(error, "errors", [])
    _audit_alone(
        session,
        request,
        "rejected",
        status=error.status,
        reason=error.detail,
        problems=len(problems),
        paths=[problem.path for problem in problems[:AUDITED_PATHS]],
    )
