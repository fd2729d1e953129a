"""``{"items": [...], "next": url-or-null}`` lists: the query args every list takes and its next link."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from marshmallow import Schema, fields, validate

from hub.api.blueprint import QuerySchema
from hub.api.bounds import bounded_integer
from hub.services.cluster_records import Page

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


class PageQuerySchema(QuerySchema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = bounded_integer(metadata={"description": "the cursor of the previous page's next link"})


def list_schema(item: type[Schema], name: str) -> type[Schema]:
    """The schema of a ``{"items", "next"}`` list of ``item``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.String(allow_none=True, required=True),
        },
        name=name,
    )


def listing(page: Page, **extra: Any) -> dict[str, Any]:
    """The list body; ``next`` repeats this request's query with the page's cursor."""
    following = None
    if page.cursor is not None:
        args: dict[str, Any] = {**request.args.to_dict(), "cursor": page.cursor}
        following = url_for(request.endpoint or "", **(request.view_args or {}), **args)
    return {"items": page.items, "next": following, **extra}
