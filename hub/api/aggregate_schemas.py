"""Schemas of the aggregates endpoints: live cells with their flags, completeness, lineage."""

from __future__ import annotations

import base64
import json
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hub.api.blueprint import QuerySchema
from hub.api.problems import raise_problems
from hub.services.aggregation.lineage import lineage_problems
from hub.services.aggregation.reading import Position, query_problems_by
from schemas.reference import PERIOD_PATTERN, catalogue
from schemas.text_rules import storable

CURSOR_PROBLEM = "not a cursor of this list: follow the next link"
BREAKDOWN_DIMENSIONS = sorted(set(catalogue().code_lists) - {"region", "theme"})


def split_by(values: list[str]) -> list[str]:
    """``by`` repeated or comma-separated: ``by=region&by=funder`` or ``by=region,funder``."""
    return [part for value in values for part in value.split(",") if part]


def encode_cursor(position: Position) -> str:
    """Where a page ended (``reading.Position``), opaque to clients: base64url JSON."""
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode()


def decode_cursor(cursor: str) -> Position:
    """The position ``encode_cursor`` made; a ``ValidationError`` for anything else."""
    try:
        indicator, rank, area, dims_key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise ValidationError(CURSOR_PROBLEM) from None
    texts = (indicator, area, dims_key)
    # Nor text the database cannot take (a NUL, a lone surrogate): it would fail on it as a server
    # error, and the URL's own check only saw the base64.
    if not all(isinstance(part, str) and storable(part) for part in texts) or rank not in (0, 1):
        raise ValidationError(CURSOR_PROBLEM)
    return indicator, int(rank), area, dims_key


class AggregateQuerySchema(QuerySchema):
    period = fields.String(
        required=True,
        metadata={"description": "2025, 2025-Q1, 2025-S1 or 2025-01", "pattern": PERIOD_PATTERN},
    )
    indicator = fields.String(metadata={"description": "one indicator code (default: all)"})
    by = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "region, theme or cluster, and/or a dimension (category, funder)"},
    )
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))
    cursor = fields.String(
        validate=decode_cursor, metadata={"description": "the cursor of the previous page's next link"}
    )

    # The service's own checks, run here too so that one 422 lists every problem, the
    # fields' and these alike (a missing period is the field's to report).
    @validates_schema(skip_on_field_errors=False)
    def _query(self, data: dict[str, Any], **_: Any) -> None:
        raise_problems(query_problems_by(data.get("period"), data.get("indicator"), split_by(data["by"])))

    @post_load
    def _split(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "by": split_by(data["by"])}


class CellSchema(Schema):
    indicator = fields.String(required=True)
    period = fields.String(required=True)
    level = fields.String(required=True)
    area = fields.String(required=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    value = fields.Float(allow_none=True, required=True)
    contributors = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "A published, C primary, D secondary"})


class CompletenessSchema(Schema):
    indicator = fields.String(required=True)
    period = fields.String(required=True)
    expected = fields.Integer(required=True)
    reported = fields.Integer(required=True)
    missing = fields.List(fields.String(), required=True)
    details = fields.Dict(
        metadata={
            "description": "change vs the previous period, left-out clusters, co-members, and the"
            " clusters that reported without being expected (counted in the figures, not in reported)"
        }
    )
    computed_at = fields.DateTime()


class AggregateListSchema(Schema):
    items = fields.List(fields.Nested(CellSchema), required=True)
    next = fields.String(allow_none=True, required=True)
    completeness = fields.List(fields.Nested(CompletenessSchema), required=True)


class LineageQuerySchema(QuerySchema):
    period = fields.String(required=True, metadata={"pattern": PERIOD_PATTERN})
    indicator = fields.String(required=True)
    level = fields.String(load_default="national")
    area = fields.String(
        metadata={
            "description": "FR (the default) for the national cell; the region, theme or cluster"
            " code otherwise"
        }
    )
    category = fields.String()
    funder = fields.String()

    @validates_schema(skip_on_field_errors=False)
    def _query(self, data: dict[str, Any], **_: Any) -> None:
        dimensions = {name: data[name] for name in BREAKDOWN_DIMENSIONS if name in data}
        raise_problems(
            lineage_problems(
                data.get("period"), data.get("indicator"), data["level"], data.get("area"), dimensions
            )
        )


class LineageSchema(Schema):
    cell = fields.Nested(CellSchema, required=True)
    clusters = fields.List(fields.Dict(), required=True, metadata={"description": "contributing clusters"})
    left_out = fields.List(
        fields.Dict(), required=True, metadata={"description": "clusters left out, and why"}
    )
    categorised_by = fields.List(
        fields.Dict(),
        required=True,
        metadata={
            "description": "member lists of clusters outside the cell that gave some of its members"
            " their category for the period (the most recent list naming a member decides it)"
        },
    )
