"""Every error answer is ``application/problem+json`` (RFC 9457), built here and only here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, json
from marshmallow import INCLUDE, Schema, ValidationError, fields
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from hub.errors import FieldProblem, HubError, InvalidInput, slug

PROBLEM_TYPE = "https://afpc-hub.example/problems/"
PROBLEM_JSON = "application/problem+json"
DATABASE_RETRY_SECONDS = 5
# The database could not answer, or every pooled connection to it stayed busy.
UNANSWERED = (OperationalError, PoolTimeout)
log = logging.getLogger(__name__)


class FieldProblemSchema(Schema):
    path = fields.String(
        required=True,
        metadata={"description": "where: a field, a row's field (observations[3].value), a parameter"},
    )
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """Every error answer, as the OpenAPI document declares it (RFC 9457 problem details)."""

    class Meta:
        unknown = INCLUDE  # RFC 9457 lets a problem type add members

    type = fields.String(required=True, metadata={"format": "uri"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(
        fields.Nested(FieldProblemSchema),
        metadata={"description": "every problem of a refused request, each with its path"},
    )


def problem(
    status: int,
    title: str,
    detail: str,
    type_slug: str,
    errors: list[FieldProblem] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_TYPE + type_slug, "title": title, "status": status}
    body["detail"] = detail
    if errors is not None:
        body["errors"] = [error.as_dict() for error in errors]
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="afpc-hub"'
    return response


def raise_problems(problems: list[FieldProblem]) -> None:
    """A schema's ``ValidationError`` for a service's problems, so that they join the fields'."""
    if problems:
        messages: dict[str, list[str]] = {}
        for found in problems:
            messages.setdefault(found.path, []).append(found.message)
        raise ValidationError(messages)


def flatten_messages(messages: Any, prefix: str = "") -> Iterator[FieldProblem]:
    """Turn marshmallow's nested ``{field: {0: {sub: [msg]}}}`` into path/message pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            yield from flatten_messages(value, path)
    elif isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        for message in messages:
            yield FieldProblem(prefix, message)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            yield from flatten_messages(value, f"{prefix}[{index}]")
    else:
        yield FieldProblem(prefix, str(messages))


def database_unavailable(error: Exception) -> Response:
    """The database could not answer: down, restarting, locked for too long, a deadlock it
    broke, or no pooled connection free in time. The same request may well succeed shortly,
    which a 503 with Retry-After tells clients and load balancers, and a 500 would not."""
    log.warning("the database could not answer: %s", error)
    title = ServiceUnavailable().name
    response = problem(503, title, "The database could not answer; try again shortly.", slug(title))
    response.headers["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    return response


def from_http_exception(error: HTTPException) -> Response:
    original = getattr(error, "original_exception", None)
    if isinstance(original, UNANSWERED):
        # Raised outside a view (the commit at the request's end): Flask wraps it in a 500.
        return database_unavailable(original)
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages is not None:
        # webargs nests by location ({"json": {...}}, {"query": {...}}); the path starts after it.
        errors = [problem for by_location in messages.values() for problem in flatten_messages(by_location)]
        return problem(
            status,
            InvalidInput.title,
            f"{len(errors)} problem(s) found in the request",
            InvalidInput.type_slug,
            errors,
        )
    title = error.name
    response = problem(status, title, error.description or title, slug(title))
    # What the exception says beside its body, e.g. the methods a 405's URL allows (RFC 9110).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def from_hub_error(error: HubError) -> Response:
    if error.status >= 500:  # the hub's fault: its operators must hear of it
        log.error("%s: %s", error.title, error.detail)
    errors = getattr(error, "errors", None)
    return problem(error.status, error.title, error.detail, error.type_slug, errors, **error.extra)


def init_app(app: Flask) -> None:
    app.register_error_handler(HubError, from_hub_error)
    app.register_error_handler(HTTPException, from_http_exception)
    for unanswered in UNANSWERED:
        app.register_error_handler(unanswered, database_unavailable)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error", exc_info=error)
        return problem(
            500, "Internal server error", "The hub failed to answer; the error is logged.", "internal-error"
        )
