"""The demo feeds on a loopback port, shared by the module's tests: real HTTP, no network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.demo_feeds import AUTH_KINDS, DemoFeeds, auth_for
from hub.loopback import LoopbackServer, serving
from hub.synthetic import Federation, generate

SECRET = "demo-feeds-test-secret"
PERIOD = "2024"


@pytest.fixture(scope="session")
def federation() -> Federation:
    return generate()


@pytest.fixture(scope="session")
def cluster_by_auth(federation: Federation) -> dict[str, str]:
    """One cluster code for each auth kind the demo feeds use."""
    codes: dict[str, str] = {}
    for cluster in federation.clusters:
        codes.setdefault(auth_for(cluster.code, SECRET)["type"], cluster.code)
    assert set(codes) == set(AUTH_KINDS)
    return codes


@pytest.fixture(scope="module")
def feeds(federation: Federation) -> Iterator[LoopbackServer]:
    with serving(DemoFeeds(federation, SECRET, page_size=40)) as server:
        yield server
