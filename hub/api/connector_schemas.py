"""Schemas of the connector endpoints: configuration in and out, sync requests, runs."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import RAISE, Schema, fields, post_load, validate, validates_schema

from hub.api.json_fields import JsonBoolean
from hub.api.paging import PageQuerySchema, list_schema
from hub.api.problems import raise_problems
from hub.api.submission_schemas import WarningSchema
from hub.models.operations import RUN_STATUSES
from hub.services.connectors import (
    AUTH_FIELDS,
    SCHEDULE_LENGTH,
    TYPES,
    URL_LENGTH,
    Settings,
    settings_problems,
)
from hub.web import db, state
from schemas.reference import PERIOD_PATTERN

# What a request can carry in a header (``hub.services.connectors``); refused at once otherwise.
SENDABLE = "Latin-1 text without a line break or other invisible character, nor a space at either end"


class AuthSchema(Schema):
    """Credentials are write-only: a field left out keeps the stored value of the same auth type."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True, metadata={"enum": list(AUTH_FIELDS)})
    token = fields.String(load_only=True, metadata={"description": SENDABLE})
    header = fields.String(
        load_only=True, metadata={"description": "the header's name: letters, digits and !#$%&'*+-.^_`|~"}
    )
    key = fields.String(load_only=True, metadata={"description": SENDABLE})
    username = fields.String(load_only=True, metadata={"description": SENDABLE + "; no ':'"})
    password = fields.String(load_only=True, metadata={"description": SENDABLE})


class ConnectorSettingsSchema(Schema):
    """The body of ``PUT /api/v1/clusters/{code}/connector``."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True, metadata={"enum": list(TYPES)})
    url = fields.String(
        required=True,
        metadata={
            "description": "an absolute http or https URL: a host, and a port (if any) from 1 to 65535;"
            " no user:password (credentials go in auth)",
            "maxLength": URL_LENGTH,
        },
    )
    enabled = JsonBoolean(load_default=True)
    schedule = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "5-field cron in UTC, e.g. 0 3 * * *; weekdays as cron numbers them (0 and 7 are"
            " Sunday, 1-5 Monday to Friday) or named (sun-sat)",
            "maxLength": SCHEDULE_LENGTH,
        },
    )
    auth = fields.Nested(
        AuthSchema,
        metadata={"description": 'left out, the stored credentials are kept; {"type": "none"} drops them'},
    )
    mapping = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={
            "description": '{"indicators": {source: hub code}, "dimensions": {dimension: {source:'
            ' hub code}}}; a csv connector\'s also {"columns": {"indicator": column, "value": column,'
            ' "dimensions": {dimension: column}}}'
        },
    )

    # The service's own checks, run here too so that one 422 lists every problem, the fields'
    # and these alike; they compare left-out credentials with the cluster's stored ones.
    @validates_schema(skip_on_field_errors=False)
    def _configuration(self, data: dict[str, Any], **_: Any) -> None:
        code = request.view_args["code"] if request.view_args else ""
        raise_problems(settings_problems(db(), state().fernet, code, data))

    @post_load
    def _settings(self, data: dict[str, Any], **_kwargs: Any) -> Settings:
        return Settings(**data)


class ConnectorSchema(Schema):
    cluster = fields.String()
    type = fields.String()
    url = fields.String()
    enabled = fields.Boolean()
    schedule = fields.String(allow_none=True)
    mapping = fields.Dict()
    auth = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": 'the auth type and the fields set, e.g. {"type": "bearer", "token": "set"}'},
    )
    updated_at = fields.DateTime()


class SyncRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    period = fields.String(
        metadata={"description": "default: the previous calendar year", "pattern": PERIOD_PATTERN}
    )


class RunStartedSchema(Schema):
    run_id = fields.Integer(required=True)


class RunSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "sync (a connector pull) or aggregate"})
    cluster = fields.String(attribute="cluster_code", allow_none=True)
    period = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(RUN_STATUSES)})
    trigger = fields.String(metadata={"description": "api, cli, schedule or replay"})
    requested_by = fields.String(allow_none=True, metadata={"description": "client id, cli or scheduler"})
    replay_of = fields.Integer(allow_none=True, metadata={"description": "the run whose pages it re-ingests"})
    pages = fields.Integer(metadata={"description": "pages fetched (or replayed)"})
    bytes = fields.Integer(metadata={"description": "raw bytes fetched"})
    counts = fields.Dict(metadata={"description": "the ingestion's counts, as a push answers them"})
    warnings = fields.List(
        fields.Nested(WarningSchema),
        metadata={"description": "the ingestion's warnings, as a push answers them"},
    )
    submission_id = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why it failed; never a credential"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


RunListSchema = list_schema(RunSchema, "RunListSchema")


class RunQuerySchema(PageQuerySchema):
    kind = fields.String()
    cluster = fields.String()
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))
