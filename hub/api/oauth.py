"""OAuth 2 client-credentials token endpoint and the public keys that verify its tokens."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import ValidationError

from hub.api import storable_input
from hub.api.blueprint import Blueprint
from hub.api.problems import flatten_messages
from hub.api.schemas import JwksSchema, TokenRequestSchema, TokenSchema
from hub.auth.policy import public
from hub.errors import InvalidInput
from hub.services.clients import authenticate_client
from hub.web import db, state

blp = Blueprint("oauth", __name__, description="Access tokens (OAuth 2 client credentials)")


def _token_request() -> dict[str, Any]:
    """Form or JSON body, as OAuth clients send either."""
    raw = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    storable_input.refuse_in_json(raw)
    try:
        return TokenRequestSchema().load(raw or {})
    except ValidationError as exc:
        raise InvalidInput(list(flatten_messages(exc.messages))) from exc


@blp.route("/oauth/token")
class Token(MethodView):
    @public
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": TokenRequestSchema},
                "application/json": {"schema": TokenRequestSchema},
            },
        }
    )
    @blp.response(200, TokenSchema)
    def post(self) -> dict[str, Any]:
        """Exchange a client id and secret for a short-lived bearer token."""
        body = _token_request()
        who = authenticate_client(db(), body["client_id"], body["client_secret"])
        token, expires_in = state().tokens.issue(who)
        return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": who.scope}


@blp.route("/.well-known/jwks.json")
class Jwks(MethodView):
    @public
    @blp.response(200, JwksSchema)
    def get(self) -> dict[str, Any]:
        """The public keys that verify the hub's tokens."""
        return state().tokens.jwks()
