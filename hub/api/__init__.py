"""The HTTP API: flask-smorest blueprints, OpenAPI document and self-hosted docs."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Flask, Response, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from hub.api import (
    aggregates,
    catalogue,
    cluster_data,
    connectors,
    health,
    oauth,
    problems,
    storable_input,
    submissions,
)
from hub.auth.policy import public

BLUEPRINTS = (
    health.blp,
    oauth.blp,
    catalogue.blp,
    submissions.blp,
    cluster_data.blp,
    connectors.blp,
    aggregates.blp,
)


class HubApi(Api):
    """flask-smorest's Api with its error answers replaced by problem+json, and documented so."""

    ERROR_SCHEMA = problems.ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return problems.from_http_exception(error)

    def _register_responses(self) -> None:
        """flask-smorest declares its error responses under the media type of the successes
        (``application/json``); the hub answers errors as problem+json, so they are declared
        under it, and the successes keep theirs."""
        self.DEFAULT_RESPONSE_CONTENT_TYPE = problems.PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


def openapi_settings() -> dict[str, Any]:
    return {
        "API_TITLE": "AFPC Hub",
        "API_VERSION": "1.0",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
        # No call to the public validator service: the docs page talks to the hub only.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "deepLinking": True},
        "API_SPEC_OPTIONS": {
            "info": {"description": "Data exchange hub of the French competitiveness clusters."},
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            },
        },
    }


@public
def swagger_ui_assets(filename: str) -> Response:
    """Swagger UI's files, from the installed package: the docs page needs no CDN."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


def init_app(app: Flask) -> Api:
    app.config.update(openapi_settings())
    api = HubApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.add_url_rule("/docs/assets/<path:filename>", "swagger_ui_assets", swagger_ui_assets)
    problems.init_app(app)
    storable_input.init_app(app)
    return api
