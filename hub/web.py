"""Per-request plumbing: the request's session (committed at the edge) and its principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from hub.auth.tokens import Principal
from hub.db import read_only
from hub.state import HubState

READS = ("GET", "HEAD")
READS_ONLY = "_hub_reads_only"  # set on the views of other methods that write nothing


def reads_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that writes nothing whatever its method (a token request): its session
    begins as a read, like a GET's."""
    setattr(view, READS_ONLY, True)
    return view


def state() -> HubState:
    return current_app.extensions["hub"]


def db() -> Session:
    """The request's session, opened on first use. A read's begins as a plain read: on SQLite
    it then answers from its snapshot while a push or an aggregation holds the write lock,
    instead of waiting for it (seconds for a large push; a readiness probe would time out, and
    every client asking for a token would wait)."""
    if "db" not in g:
        session = state().sessions()
        reads = request.method in READS or getattr(
            view_handler(request.endpoint, request.method), READS_ONLY, False
        )
        g.db = read_only(session) if reads else session
    return g.db


def principal() -> Principal:
    return g.principal


def view_handler(endpoint: str | None, method: str) -> Callable[..., Any] | None:
    """The function that answers ``method`` at ``endpoint``: a class view's method (its GET
    for a HEAD), where the decorators leave their marks."""
    view = current_app.view_functions.get(endpoint) if endpoint is not None else None
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return handler


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish(response: Response) -> Response:
        # Commit here, not in handlers: a failed commit still becomes an error answer.
        session = g.pop("db", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _teardown(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()
