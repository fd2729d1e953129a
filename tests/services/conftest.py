"""Connector fixtures: a configured connector for medicen, a puller driving a scripted feed,
and the demo feeds over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hub.demo_feeds import DemoFeeds
from hub.loopback import serving
from hub.services.connectors import Settings, configure
from hub.services.sync import Puller
from hub.synthetic import generate
from tests.services.feed_double import ScriptedConnector

TOKEN = "s3cret-token-value"
FEEDS_SECRET = "sync-tests-feeds-secret"


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


@pytest.fixture(scope="session")
def federation():
    return generate()


@pytest.fixture(scope="module")
def demo_feeds(federation):
    """The demo clusters' systems on a loopback port: every feed type, every auth kind."""
    with serving(DemoFeeds(federation, FEEDS_SECRET, page_size=40)) as server:
        yield server
