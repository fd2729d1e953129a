"""Marshmallow schemas of the API's own resources (the exchange format lives in ``schemas/``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.api.blueprint import QuerySchema
from hub.api.json_fields import JsonBoolean
from schemas.reference import catalogue


class TokenRequestSchema(Schema):
    grant_type = fields.String(required=True, validate=validate.Equal("client_credentials"))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    client_secret = fields.String(required=True, validate=validate.Length(min=1, max=200))
    scope = fields.String()


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    scope = fields.String(required=True)


class JwksSchema(Schema):
    keys = fields.List(fields.Dict(), required=True)


class ClusterSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    region = fields.String(required=True, validate=validate.OneOf(list(catalogue().code_lists["region"])))
    theme = fields.String(required=True, validate=validate.OneOf(list(catalogue().code_lists["theme"])))
    themes = fields.List(
        fields.String(validate=validate.OneOf(list(catalogue().code_lists["theme"]))),
        metadata={
            "description": "every theme the cluster works in, its main theme among them (a new main"
            " theme given alone joins them)"
        },
    )
    description = fields.String(validate=validate.Length(max=500))
    active = JsonBoolean()
    active_from = fields.Date(allow_none=True)
    active_to = fields.Date(allow_none=True)


class ClusterPatchSchema(ClusterSchema):
    class Meta:
        exclude = ("code",)


class ClusterListSchema(Schema):
    items = fields.List(fields.Nested(ClusterSchema), required=True)
    next = fields.String(allow_none=True, required=True)


class ClusterQuerySchema(QuerySchema):
    active = fields.Boolean(metadata={"description": "only active (true) or inactive (false) clusters"})


class IndicatorSchema(Schema):
    code = fields.String(required=True)
    name_fr = fields.String(required=True)
    name_en = fields.String(required=True)
    unit = fields.String(required=True)
    periodicity = fields.String(required=True)
    aggregation = fields.String(required=True)
    weight = fields.String(allow_none=True)
    derived = fields.Boolean()
    value_type = fields.String()
    min = fields.Float(allow_none=True, attribute="min_value")
    max = fields.Float(allow_none=True, attribute="max_value")
    dimensions = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "allowed dimensions and the codes of each"},
    )


class IndicatorListSchema(Schema):
    items = fields.List(fields.Nested(IndicatorSchema), required=True)
    next = fields.String(allow_none=True, required=True)
    code_lists = fields.Dict(metadata={"description": "every code list with French and English labels"})
