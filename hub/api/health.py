"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import text

from hub.api.blueprint import Blueprint
from hub.auth.policy import public
from hub.errors import UnreadableSecret
from hub.migrations import current_revision, head_revision
from hub.web import db, state
from jobs.lease import scheduler_status

blp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators")


@blp.route("/healthz")
class Health(MethodView):
    @public
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The process answers."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @public
    @blp.response(200)
    @blp.alt_response(503, description="Not ready: a check failed")
    def get(self) -> Any:
        """The database answers, its schema is at the migrations' head and the signing keys can
        be decrypted; says whether a scheduler is active (its absence delays jobs, not
        requests, so it does not gate)."""
        checks: dict[str, Any] = {}
        try:
            connection = db().connection()
            connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current, head = current_revision(connection), head_revision()
            checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
        except Exception as exc:  # any failure here means "not ready", and says why
            checks["database"] = f"unreachable: {type(exc).__name__}"
            checks.setdefault("migrations", "unknown")
        checks["signing_keys"] = _signing_keys() if checks["database"] == "ok" else "unknown"
        ready = all(value == "ok" for value in checks.values())
        body = {"status": "ok" if ready else "unavailable", "checks": checks}
        if ready:
            body["scheduler"] = scheduler_status(db())
        return body, 200 if ready else 503


def _signing_keys() -> str:
    """Whether the hub can sign and verify tokens: a published key it can decrypt."""
    try:
        return "ok" if state().tokens.jwks()["keys"] else "none published: run hub init"
    except UnreadableSecret as exc:
        return exc.detail
