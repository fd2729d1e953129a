"""The one error vocabulary: services raise these, one handler turns them into problem+json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class HubError(Exception):
    """Base of every domain error; ``status`` and ``title`` drive the HTTP answer."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class InvalidInput(HubError):
    """Input that breaks one or more rules; ``errors`` lists every one of them."""

    status = 422
    title = "Validation failed"
    type_slug = "validation-error"

    def __init__(self, errors: list[FieldProblem], detail: str = "") -> None:
        super().__init__(detail or f"{len(errors)} problem(s) found in the request")
        self.errors = errors


class NotAuthenticated(HubError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Forbidden(HubError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class NotFound(HubError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(HubError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class PayloadTooLarge(HubError):
    status = 413
    title = "Request Entity Too Large"
    type_slug = "request-entity-too-large"


class UnsupportedContentType(HubError):
    status = 415
    title = "Unsupported Media Type"
    type_slug = "unsupported-media-type"
