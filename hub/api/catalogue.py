"""The indicator catalogue and the cluster registry."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from hub.api.blueprint import Blueprint
from hub.api.paging import public_url
from hub.api.schemas import (
    ClusterListSchema,
    ClusterPatchSchema,
    ClusterQuerySchema,
    ClusterSchema,
    IndicatorListSchema,
)
from hub.auth.policy import allow
from hub.services import registry
from hub.web import db, principal
from schemas.reference import catalogue

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1", description="Catalogue and registry")

ANY_ROLE = ("cluster", "board", "ministry", "admin")


@blp.route("/indicators")
class Indicators(MethodView):
    @allow(*ANY_ROLE)
    @blp.response(200, IndicatorListSchema)
    def get(self) -> dict[str, Any]:
        """Every indicator of the catalogue, with its dimensions and their code lists."""
        lists = catalogue().code_lists
        items = [
            {**_columns(row), "dimensions": {dim: sorted(lists[dim]) for dim in row.dimensions}}
            for row in registry.list_indicators(db())
        ]
        return {"items": items, "next": None, "code_lists": lists}


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


@blp.route("/clusters")
class Clusters(MethodView):
    @allow(*ANY_ROLE)
    @blp.arguments(ClusterQuerySchema, location="query")
    @blp.response(200, ClusterListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The registry of clusters."""
        items = registry.list_clusters(db())
        if "active" in query:
            items = [item for item in items if item.active == query["active"]]
        return {"items": items, "next": None}

    @allow("admin")
    @blp.arguments(ClusterSchema)
    @blp.response(201, ClusterSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a cluster to the registry."""
        cluster = registry.add_cluster(db(), actor=principal().subject, **body)
        return cluster, 201, {"Location": public_url(f"{request.path}/{cluster.code}")}


@blp.route("/clusters/<code>")
class ClusterItem(MethodView):
    @allow(*ANY_ROLE)
    @blp.response(200, ClusterSchema)
    def get(self, code: str) -> Any:
        """One cluster of the registry."""
        return registry.get_cluster(db(), code)

    @allow("admin")
    @blp.arguments(ClusterPatchSchema(partial=True))
    @blp.response(200, ClusterSchema)
    def patch(self, body: dict[str, Any], code: str) -> Any:
        """Edit or deactivate (``active: false``) a cluster."""
        return registry.update_cluster(db(), code, actor=principal().subject, **body)
