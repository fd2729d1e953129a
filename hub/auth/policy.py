"""The access policy: every endpoint declares a rule, and requests are checked against it.

A view without a rule is refused (fail closed), and a test walks the URL map to
prove that every endpoint has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, g, request

from hub.auth.tokens import Principal
from hub.errors import Forbidden, NotAuthenticated
from hub.services.clients import ensure_active
from hub.web import db, state, view_handler

F = TypeVar("F", bound=Callable[..., Any])
RULE_ATTR = "_hub_access_rule"

# Endpoints that flask-smorest and Flask register themselves (spec, docs, assets).
PUBLIC_ENDPOINTS = {"static", "swagger_ui_assets", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    own_cluster: bool = False
    public: bool = False

    def check(self, who: Principal | None, view_args: dict[str, Any]) -> None:
        if self.public:
            return
        if who is None:
            raise NotAuthenticated("a bearer token is required")
        if who.role not in self.roles:
            raise Forbidden(f"role {who.role!r} may not do this")
        if self.own_cluster and who.role == "cluster" and view_args.get("code") != who.cluster:
            raise Forbidden("a cluster client may only act on its own cluster")


def allow(*roles: str, own_cluster: bool = False) -> Callable[[F], F]:
    """Declare who may call a view; ``own_cluster`` binds cluster clients to ``{code}``."""
    rule = Rule(frozenset(roles), own_cluster=own_cluster)

    def mark(view: F) -> F:
        setattr(view, RULE_ATTR, rule)
        return view

    return mark


def public(view: F) -> F:
    setattr(view, RULE_ATTR, Rule(frozenset(), public=True))
    return view


def rule_for(endpoint: str | None, method: str) -> Rule | None:
    if endpoint is None:
        return None
    if endpoint in PUBLIC_ENDPOINTS:
        return Rule(frozenset(), public=True)
    return getattr(view_handler(endpoint, method), RULE_ATTR, None)


def bearer_principal() -> Principal | None:
    """The principal of the request's bearer token, None when it carries none."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("use an 'Authorization: Bearer <token>' header")
    who = state().tokens.verify(token.strip())
    ensure_active(db(), who)
    return who


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce() -> None:
        if request.method == "OPTIONS" or request.url_rule is None:
            return
        rule = rule_for(request.endpoint, request.method)
        if rule is None:
            raise Forbidden("this endpoint has no access rule")
        who = None if rule.public else bearer_principal()
        rule.check(who, request.view_args or {})
        g.principal = who
