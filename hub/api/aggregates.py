"""Live aggregates for the board: every cell with its disclosure flag, and its lineage."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hub.api.aggregate_schemas import (
    BREAKDOWN_DIMENSIONS,
    AggregateListSchema,
    AggregateQuerySchema,
    LineageQuerySchema,
    LineageSchema,
    decode_cursor,
    encode_cursor,
)
from hub.api.blueprint import Blueprint
from hub.api.paging import next_link
from hub.auth.policy import allow
from hub.services.aggregation import lineage, reading
from hub.web import db

blp = Blueprint("aggregates", __name__, url_prefix="/api/v1", description="Live aggregates")


@blp.route("/aggregates")
class Aggregates(MethodView):
    @allow("board", "admin")
    @blp.arguments(AggregateQuerySchema, location="query")
    @blp.response(200, AggregateListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Cells of a period: national ones always, plus the breakdowns ``by`` asks for."""
        cells, end = reading.list_cells(
            db(),
            period=query["period"],
            indicator=query.get("indicator"),
            by=query["by"],
            limit=query["limit"],
            after=decode_cursor(query["cursor"]) if "cursor" in query else None,
        )
        following = None if end is None else next_link(encode_cursor(end))
        completeness = reading.completeness(db(), period=query["period"], indicator=query.get("indicator"))
        return {"items": cells, "next": following, "completeness": completeness}


@blp.route("/aggregates/lineage")
class Lineage(MethodView):
    @allow("board", "admin")
    @blp.arguments(LineageQuerySchema, location="query")
    @blp.response(200, LineageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The clusters, observation revisions and submissions behind one cell."""
        return lineage.lineage(
            db(),
            period=query["period"],
            indicator=query["indicator"],
            level=query["level"],
            area=query.get("area"),
            dimensions={name: query[name] for name in BREAKDOWN_DIMENSIONS if name in query},
        )
