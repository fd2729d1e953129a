"""Connector configuration, on-demand pulls and the runs that record them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hub.api.blueprint import Blueprint
from hub.api.bounds import ID_IN_PATH
from hub.api.connector_schemas import (
    ConnectorSchema,
    ConnectorSettingsSchema,
    RunListSchema,
    RunQuerySchema,
    RunSchema,
    RunStartedSchema,
    SyncRequestSchema,
)
from hub.api.paging import listing
from hub.auth.policy import allow
from hub.models import JobRun
from hub.services import connectors, runs
from hub.services.connectors import Settings
from hub.web import db, principal, state

blp = Blueprint("connectors", __name__, url_prefix="/api/v1", description="Connectors (pull) and job runs")


def _own_cluster() -> str | None:
    """The cluster a cluster token is bound to; None for the roles that see every cluster."""
    who = principal()
    return who.cluster if who.role == "cluster" else None


@blp.route("/clusters/<code>/connector")
class Connector(MethodView):
    @allow("cluster", "admin", own_cluster=True)
    @blp.response(200, ConnectorSchema)
    def get(self, code: str) -> dict[str, Any]:
        """The cluster's pull configuration; credentials show as ``"set"``, never their value."""
        return connectors.describe(connectors.get_config(db(), code), state().fernet)

    @allow("admin")
    @blp.arguments(ConnectorSettingsSchema)
    @blp.response(200, ConnectorSchema)
    def put(self, settings: Settings, code: str) -> dict[str, Any]:
        """Create or replace the configuration; credentials left out keep the stored ones."""
        return connectors.configure(
            db(), fernet=state().fernet, cluster_code=code, settings=settings, actor=principal().subject
        )


@blp.route("/clusters/<code>/sync")
class Sync(MethodView):
    @allow("cluster", "admin", own_cluster=True)
    @blp.arguments(SyncRequestSchema, required=False)
    @blp.response(202, RunStartedSchema)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Queue a pull now; the active scheduler starts it within seconds (409 without a connector)."""
        run = runs.queue_sync(
            db(), code, period=(body or {}).get("period"), trigger="api", requested_by=principal().subject
        )
        return {"run_id": run.id}


@blp.route("/runs")
class Runs(MethodView):
    @allow("cluster", "board", "admin")
    @blp.arguments(RunQuerySchema, location="query")
    @blp.response(200, RunListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Job runs, newest first; a cluster token sees its own cluster's runs only."""
        own = _own_cluster()
        where = runs.RunFilter(
            kind=query.get("kind"), cluster=own or query.get("cluster"), status=query.get("status")
        )
        return listing(runs.list_runs(db(), where, limit=query["limit"], cursor=query.get("cursor")))


@blp.route(f"/runs/<{ID_IN_PATH}:run_id>")
class RunItem(MethodView):
    @allow("cluster", "board", "admin")
    @blp.response(200, RunSchema)
    def get(self, run_id: int) -> JobRun:
        """One run: status, counts, error and timings."""
        return runs.get_run(db(), run_id, cluster=_own_cluster())
