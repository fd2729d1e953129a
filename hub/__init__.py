"""AFPC Hub: the data exchange hub of the French competitiveness clusters."""

from __future__ import annotations

import logging

from flask import Flask

from hub.config import Config
from hub.state import HubState


def create_app(config: Config | None = None, state: HubState | None = None) -> Flask:
    """Wire configuration, extensions and blueprints; nothing else happens here."""
    from hub import api, web
    from hub.auth import policy

    if state is None:
        state = HubState.build(config or Config.from_env())
    app = Flask(__name__, instance_path=str(state.config.instance_dir.resolve()))
    app.config.update(
        SECRET_KEY=state.config.secret_key,
        MAX_CONTENT_LENGTH=state.config.max_body_bytes,
        TESTING=state.config.testing,
        JSON_SORT_KEYS=False,
    )
    app.extensions["hub"] = state
    logging.basicConfig(level=state.config.log_level)
    web.init_app(app)
    policy.init_app(app)
    api.init_app(app)
    return app
