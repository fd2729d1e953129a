"""OAuth 2 client-credentials token endpoint and the public keys that verify its tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from flask import Response, request
from flask.views import MethodView
from marshmallow import ValidationError
from werkzeug.datastructures import Authorization

from hub.api import storable_input
from hub.api.blueprint import Blueprint
from hub.api.problems import flatten_messages
from hub.api.schemas import JwksSchema, TokenRequestSchema, TokenSchema
from hub.auth.policy import public
from hub.errors import FieldProblem, InvalidInput
from hub.services.clients import authenticate_client
from hub.web import db, reads_only, state

blp = Blueprint("oauth", __name__, description="Access tokens (OAuth 2 client credentials)")
BOTH = "the client authenticated with HTTP Basic: its credentials come there only, not in the body too"


def _basic() -> Authorization | None:
    authorization = request.authorization
    return authorization if authorization is not None and authorization.type == "basic" else None


def _token_request() -> dict[str, Any]:
    """Form or JSON body, as OAuth clients send either, with the client's id and secret in it or
    in HTTP Basic (RFC 6749 2.3.1: what most OAuth libraries send by default). One way only:
    a secret in both, or two different ids, is refused rather than one of them chosen."""
    raw = (request.get_json(silent=True) if request.is_json else request.form.to_dict()) or {}
    basic = _basic()
    if basic is not None and isinstance(raw, dict):
        # Each part is form-encoded before it is put in the header (RFC 6749 2.3.1).
        client_id, secret = unquote_plus(basic.username or ""), unquote_plus(basic.password or "")
        problems = [FieldProblem("client_secret", BOTH)] if "client_secret" in raw else []
        if raw.get("client_id", client_id) != client_id:
            problems.append(FieldProblem("client_id", BOTH))
        if problems:
            raise InvalidInput(problems)
        raw = {**raw, "client_id": client_id, "client_secret": secret}
    storable_input.refuse_in_json(raw)
    try:
        return TokenRequestSchema().load(raw)
    except ValidationError as exc:
        refusal = InvalidInput(list(flatten_messages(exc.messages)))
        # OAuth 2 clients read the refusal's kind from ``error`` (RFC 6749 5.2).
        unsupported = isinstance(raw, dict) and "grant_type" in raw and "grant_type" in exc.messages
        refusal.extra["error"] = "unsupported_grant_type" if unsupported else "invalid_request"
        raise refusal from exc


@blp.after_request
def _challenge_in_the_client_s_scheme(response: Response) -> Response:
    """A client refused after authenticating with HTTP Basic is challenged in that scheme
    (RFC 6749 5.2), not in the Bearer one of the API's other 401s."""
    if response.status_code == 401 and _basic() is not None:
        response.headers["WWW-Authenticate"] = 'Basic realm="afpc-hub"'
    return response


@blp.route("/oauth/token")
class Token(MethodView):
    @public
    @reads_only
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
        """Exchange a client id and secret (in the body, or in HTTP Basic) for a short-lived bearer token."""
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
