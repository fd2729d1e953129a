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


def slug(title: str) -> str:
    """The last segment of a problem's type URI, from its title: one rule for the hub's own
    errors and for the HTTP ones the framework raises."""
    return title.lower().replace(" ", "-")


class HubError(Exception):
    """Base of every domain error; ``status`` and ``title`` drive the HTTP answer (and the
    problem type, unless a subclass names its own ``type_slug``)."""

    status = 400
    title = "Bad request"
    type_slug = slug(title)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "type_slug" not in cls.__dict__:
            cls.type_slug = slug(cls.title)

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class UnreadableSecret(HubError):
    """A secret stored in the database cannot be decrypted with ``HUB_ENCRYPTION_KEY``: the
    deployment's fault, not the request's, and a lasting one until the key is put right."""

    status = 503
    title = "Service unavailable"


class InvalidInput(HubError):
    """Input that breaks one or more rules; ``errors`` lists every one of them."""

    status = 422
    title = "Validation failed"
    type_slug = "validation-error"

    def __init__(self, errors: list[FieldProblem], detail: str = "") -> None:
        super().__init__(detail or f"{len(errors)} problem(s) found in the request")
        self.errors = errors


class NotAuthenticated(HubError):
    """No valid credentials or token; the detail never says which check failed."""

    status = 401
    title = "Unauthorized"


class Forbidden(HubError):
    """A known caller whose role or cluster may not do this."""

    status = 403
    title = "Forbidden"


class NotFound(HubError):
    """No such cluster, submission, run or cell; also what an out-of-range id in a path gets."""

    status = 404
    title = "Not found"


class Conflict(HubError):
    """Well-formed, but at odds with what is stored: a duplicate, a reused idempotency key."""

    status = 409
    title = "Conflict"


class PayloadTooLarge(HubError):
    """A body over ``HUB_MAX_BODY_BYTES``, announced or met while reading it."""

    status = 413
    title = "Request Entity Too Large"


class UnsupportedContentType(HubError):
    """A body of a media type the endpoint does not read."""

    status = 415
    title = "Unsupported Media Type"
