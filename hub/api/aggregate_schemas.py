"""Schemas of the aggregates endpoints: live cells with their flags, completeness, lineage."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.api.bounds import bounded_integer
from schemas.reference import catalogue

BREAKDOWN_DIMENSIONS = sorted(set(catalogue().code_lists) - {"region", "theme"})


class AggregateQuerySchema(Schema):
    period = fields.String(required=True, metadata={"description": "2025, 2025-Q1, 2025-S1 or 2025-01"})
    indicator = fields.String(metadata={"description": "one indicator code (default: all)"})
    by = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "region, theme or cluster, and/or a dimension (category, funder)"},
    )
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))
    offset = bounded_integer(load_default=0)


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
        metadata={"description": "change vs the previous period, left-out clusters, co-members"}
    )
    computed_at = fields.DateTime()


class AggregateListSchema(Schema):
    items = fields.List(fields.Nested(CellSchema), required=True)
    next = fields.String(allow_none=True, required=True)
    completeness = fields.List(fields.Nested(CompletenessSchema), required=True)


class LineageQuerySchema(Schema):
    period = fields.String(required=True)
    indicator = fields.String(required=True)
    level = fields.String(load_default="national")
    area = fields.String(load_default="FR")
    category = fields.String()
    funder = fields.String()


class LineageSchema(Schema):
    cell = fields.Nested(CellSchema, required=True)
    clusters = fields.List(fields.Dict(), required=True, metadata={"description": "contributing clusters"})
    left_out = fields.List(
        fields.Dict(), required=True, metadata={"description": "clusters left out, and why"}
    )
