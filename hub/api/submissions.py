"""Push submissions (JSON or CSV) and read back their import summaries and raw payloads."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from werkzeug.exceptions import RequestEntityTooLarge

from hub.api.blueprint import Blueprint
from hub.api.bounds import ID_IN_PATH
from hub.api.paging import PageQuerySchema, listing, public_url
from hub.api.submission_schemas import (
    PushHeadersSchema,
    PushQuerySchema,
    SubmissionListSchema,
    SubmissionResultSchema,
    SubmissionSummarySchema,
)
from hub.auth.policy import allow
from hub.errors import FieldProblem, HubError, InvalidInput, PayloadTooLarge, UnsupportedContentType
from hub.services import cluster_records, ingestion
from hub.web import db, principal, state
from schemas.submission import SubmissionSchema

blp = Blueprint("submissions", __name__, url_prefix="/api/v1", description="Submissions (push ingestion)")

JSON_TYPES = {"application/json"}
CSV_TYPES = {"text/csv"}
# Instances, not classes: webargs would build a schema from a class on every push.
PUSH_QUERY = PushQuerySchema()
PUSH_HEADERS = PushHeadersSchema()


def _options(query: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": "push",
        "actor": principal().subject,
        "dry_run": query["dry_run"],
        "idempotency_key": headers.get("idempotency_key"),
    }


def _check_size() -> None:
    """Refuse an announced oversize body before reading a byte of it."""
    if request.content_length is not None and request.content_length > state().config.max_body_bytes:
        raise RequestEntityTooLarge()


def _submit(query: dict[str, Any], code: str, options: dict[str, Any]) -> ingestion.IngestionResult:
    _check_size()
    if request.mimetype in CSV_TYPES:
        if not query.get("period"):
            raise InvalidInput([FieldProblem("period", "a text/csv body needs ?period=")])
        return ingestion.submit_csv(
            db(), cluster_code=code, period=query["period"], stream=request.stream, **options
        )
    if request.mimetype in JSON_TYPES:
        if "period" in query:  # it would be ignored: the body's period is the one stored
            raise InvalidInput([FieldProblem("period", "a JSON body carries its period: send no ?period=")])
        payload = request.get_data(cache=False)
        return ingestion.submit_json(db(), cluster_code=code, payload=payload, **options)
    raise _refused(code, options, UnsupportedContentType("send application/json or text/csv"))


def _refused(code: str, options: dict[str, Any], error: HubError) -> HubError:
    """``error``, once audited like any refused submission."""
    actor, content_type = options["actor"], request.mimetype
    ingestion.refuse_unread(
        db(), cluster_code=code, source="push", actor=actor, content_type=content_type, error=error
    )
    return error


@blp.route("/clusters/<code>/submissions")
class Submissions(MethodView):
    @allow("cluster", "admin", own_cluster=True)
    @blp.arguments(PUSH_QUERY, location="query")
    @blp.arguments(PUSH_HEADERS, location="headers")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": SubmissionSchema},
                "text/csv": {"schema": {"type": "string", "description": "indicator,value[,dimension...]"}},
            },
        },
    )
    @blp.response(201, SubmissionResultSchema, description="Accepted and stored")
    @blp.alt_response(
        200, schema=SubmissionResultSchema, description="A replay (Idempotency-Key) or a dry run"
    )
    def post(self, query: dict[str, Any], headers: dict[str, Any], code: str) -> Any:
        """Push one submission; every row is valid and stored, or nothing is and every problem is listed."""
        options = _options(query, headers)
        try:
            result = _submit(query, code, options)
        except RequestEntityTooLarge as error:  # announced, or met reading a chunked body
            limit = state().config.max_body_bytes
            too_large = PayloadTooLarge(f"the body exceeds the limit of {limit} bytes (HUB_MAX_BODY_BYTES)")
            raise _refused(code, options, too_large) from error
        if result.replayed or result.dry_run:
            return result.as_json(), 200
        return result.as_json(), 201, {"Location": public_url(f"{request.path}/{result.submission_id}")}

    @allow("cluster", "board", "admin", own_cluster=True)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, SubmissionListSchema)
    def get(self, query: dict[str, Any], code: str) -> dict[str, Any]:
        """The cluster's submissions with their import summaries, newest first."""
        return listing(
            cluster_records.list_submissions(db(), code, limit=query["limit"], cursor=query.get("cursor"))
        )


@blp.route(f"/clusters/<code>/submissions/<{ID_IN_PATH}:submission_id>")
class SubmissionItem(MethodView):
    @allow("cluster", "board", "admin", own_cluster=True)
    @blp.response(200, SubmissionSummarySchema)
    def get(self, code: str, submission_id: int) -> Any:
        """One submission's import summary."""
        return cluster_records.get_submission(db(), code, submission_id)


@blp.route(f"/clusters/<code>/submissions/<{ID_IN_PATH}:submission_id>/payload")
class SubmissionPayload(MethodView):
    @allow("admin")
    @blp.response(200, content_type="application/octet-stream", description="The body exactly as received")
    def get(self, code: str, submission_id: int) -> Response:
        """The raw payload of a submission, as received; its SHA-256 is in ``X-Content-SHA256``."""
        body, submission = cluster_records.submission_payload(db(), code, submission_id)
        response = Response(body, mimetype=submission.content_type)
        response.headers["X-Content-SHA256"] = submission.payload_sha256
        response.headers["Content-Disposition"] = f'attachment; filename="submission-{submission.id}"'
        return response
