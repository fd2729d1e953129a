"""Connector fixtures: a configured connector for medicen and a puller driving a scripted feed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hub.services.connectors import Settings, configure
from hub.services.sync import Puller
from tests.services.feed_double import ScriptedConnector

TOKEN = "s3cret-token-value"


@pytest.fixture
def configured(state, db):
    """medicen pulls its feed with a bearer token."""
    settings = Settings(
        type="feed_json", url="http://127.0.0.1:9/feed", auth={"type": "bearer", "token": TOKEN}
    )
    configure(db, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="admin")
    db.commit()
    return settings


@pytest.fixture
def scripted() -> Callable[..., tuple[ScriptedConnector, Puller]]:
    def make(*outcomes):
        connector = ScriptedConnector(*outcomes)
        return connector, Puller(lookup=lambda _name: connector)

    return make
