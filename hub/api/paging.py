"""``{"items": [...], "next": url-or-null}`` lists: the query args every list takes and its next link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, validate

from hub.api.blueprint import QuerySchema
from hub.api.bounds import bounded_integer
from hub.services.cluster_records import Page
from hub.web import state

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


def public_url(path: str) -> str:
    """``path`` on this hub as its clients reach it: on ``HUB_BASE_URL`` when it is set, since
    behind a proxy the request came in by the proxy's name for the hub; else on that name."""
    return (state().config.base_url or request.root_url).rstrip("/") + path


def next_link(cursor: str) -> str:
    """This request again, with every parameter as it came but ``cursor``."""
    args = {**request.args.to_dict(flat=False), "cursor": [cursor]}
    return public_url(f"{request.path}?{urlencode(args, doseq=True)}")


def listing(page: Page, **extra: Any) -> dict[str, Any]:
    """The list body; ``next`` repeats this request's query with the page's cursor."""
    following = None if page.cursor is None else next_link(str(page.cursor))
    return {"items": page.items, "next": following, **extra}
