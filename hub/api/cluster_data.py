"""A cluster's stored data: its observations (current or every revision) and its member lists."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hub.api.blueprint import Blueprint
from hub.api.paging import listing
from hub.api.submission_schemas import (
    MemberListSchema,
    MemberQuerySchema,
    ObservationListSchema,
    ObservationQuerySchema,
)
from hub.auth.policy import allow
from hub.services import cluster_records
from hub.web import db

blp = Blueprint(
    "cluster_data", __name__, url_prefix="/api/v1", description="A cluster's observations and members"
)


@blp.route("/clusters/<code>/observations")
class Observations(MethodView):
    @allow("cluster", "board", "admin", own_cluster=True)
    @blp.arguments(ObservationQuerySchema, location="query")
    @blp.response(200, ObservationListSchema)
    def get(self, query: dict[str, Any], code: str) -> dict[str, Any]:
        """Current values, or with ``history=true`` every revision with its submission and time."""
        return listing(
            cluster_records.list_observations(
                db(),
                code,
                period=query.get("period"),
                indicator=query.get("indicator"),
                history=query["history"],
                limit=query["limit"],
                cursor=query.get("cursor"),
            )
        )


@blp.route("/clusters/<code>/members")
class Members(MethodView):
    @allow("cluster", "admin", own_cluster=True)
    @blp.arguments(MemberQuerySchema, location="query")
    @blp.response(200, MemberListSchema)
    def get(self, query: dict[str, Any], code: str) -> dict[str, Any]:
        """The member list of a period as submitted (the current snapshot, or ``submission``'s)."""
        snapshot, page = cluster_records.list_members(
            db(),
            code,
            period=query["period"],
            submission_id=query.get("submission"),
            limit=query["limit"],
            cursor=query.get("cursor"),
        )
        return listing(page, submission_id=snapshot)
