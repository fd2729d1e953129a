"""Schemas of the submission endpoints (the submission body itself lives in ``schemas/``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.api.blueprint import QuerySchema
from hub.api.bounds import bounded_integer
from hub.api.paging import PageQuerySchema
from schemas.reference import PERIOD_PATTERN


class PushQuerySchema(QuerySchema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "validate and count, store nothing"}
    )
    period = fields.String(
        metadata={
            "description": "the period of a text/csv body (a JSON body carries its own and refuses this)",
            "pattern": PERIOD_PATTERN,
        }
    )


class PushHeadersSchema(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=200, error="must be {min} to {max} characters"),
        metadata={"description": "makes a retry safe: the same key and body answer the first push again"},
    )


class CountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    removed = fields.Integer()


class SubmissionCountsSchema(Schema):
    observations = fields.Nested(CountsSchema)
    members = fields.Nested(CountsSchema)


class WarningSchema(Schema):
    code = fields.String(
        metadata={
            "description": "period_not_over (the values are provisional) or members_mostly_removed"
            " (the list drops more than half of the current one)"
        }
    )
    path = fields.String()
    message = fields.String()


class SubmissionResultSchema(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "null for a dry run"})
    cluster = fields.String()
    period = fields.String()
    status = fields.String()
    dry_run = fields.Boolean()
    counts = fields.Nested(SubmissionCountsSchema)
    warnings = fields.List(fields.Nested(WarningSchema))


class SubmissionSummarySchema(Schema):
    id = fields.Integer()
    cluster = fields.String(attribute="cluster_code")
    period = fields.String()
    status = fields.String()
    source = fields.String()
    client_id = fields.String(allow_none=True)
    run_id = fields.Integer(allow_none=True)
    content_type = fields.String()
    payload_sha256 = fields.String()
    idempotency_key = fields.String(allow_none=True)
    counts = fields.Nested(SubmissionCountsSchema)
    warnings = fields.List(fields.Nested(WarningSchema))
    received_at = fields.DateTime()


class SubmissionListSchema(Schema):
    items = fields.List(fields.Nested(SubmissionSummarySchema), required=True)
    next = fields.String(allow_none=True, required=True)


class ObservationQuerySchema(PageQuerySchema):
    period = fields.String()
    indicator = fields.String()
    history = fields.Boolean(load_default=False, metadata={"description": "every revision, not only current"})


class ObservationItemSchema(Schema):
    indicator = fields.String()
    period = fields.String()
    dimensions = fields.Dict(keys=fields.String(), values=fields.String())
    value = fields.Raw(metadata={"description": "a number"})
    revision = fields.Integer()
    current = fields.Boolean()
    submission_id = fields.Integer()
    created_at = fields.DateTime()


class ObservationListSchema(Schema):
    items = fields.List(fields.Nested(ObservationItemSchema), required=True)
    next = fields.String(allow_none=True, required=True)


class MemberQuerySchema(PageQuerySchema):
    period = fields.String(required=True)
    submission = bounded_integer(
        metadata={
            "description": "an earlier snapshot: the member list this submission left current (for a"
            " list it re-sent unchanged, the snapshot it matched, named by submission_id)"
        }
    )


class MemberItemSchema(Schema):
    siren = fields.String(allow_none=True)
    country = fields.String()
    foreign_id = fields.String(allow_none=True)
    name = fields.String()
    category = fields.String()
    region = fields.String(allow_none=True)
    joined_on = fields.Date(allow_none=True)


class MemberListSchema(Schema):
    items = fields.List(fields.Nested(MemberItemSchema), required=True)
    next = fields.String(allow_none=True, required=True)
    submission_id = fields.Integer(allow_none=True, metadata={"description": "the snapshot listed"})
