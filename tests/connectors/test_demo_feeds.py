"""Every connector type against the demo feeds over real HTTP, for every auth kind."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import requests

import connectors
from connectors.base import ConnectorError, Limits, Pull, Source
from hub.demo_feeds import AUTH_KINDS, FEEDS, DemoFeeds, connector_config
from hub.loopback import LoopbackServer, serving
from hub.synthetic import Federation
from tests.connectors.conftest import PERIOD, SECRET


def _source(config: dict[str, Any], code: str, **changes: Any) -> Source:
    return Source(code, config["url"], changes.pop("auth", config["auth"]), config["mapping"], **changes)


@pytest.mark.parametrize("auth", AUTH_KINDS)
@pytest.mark.parametrize("feed", list(FEEDS))
def test_a_pull_maps_to_the_clusters_exact_submission(
    feeds: LoopbackServer, federation: Federation, cluster_by_auth: dict[str, str], feed: str, auth: str
) -> None:
    code = cluster_by_auth[auth]
    config = connector_config(code, feeds.url, SECRET, feed)
    connector = connectors.get(config["type"])
    source = _source(config, code)

    pull = connector.fetch(source, PERIOD, Limits())
    submission = connector.to_submission(pull.pages, source, PERIOD)

    expected = federation.submission(code, PERIOD)
    assert submission["period"] == PERIOD
    assert submission["observations"] == expected["observations"]
    if feed == "json":
        assert submission["members"] == expected["members"]
        assert len(pull.pages) > 1
    else:
        assert "members" not in submission


@pytest.mark.parametrize("auth", [kind for kind in AUTH_KINDS if kind != "none"])
def test_a_wrong_credential_is_refused_with_a_clear_error_that_shows_no_credential(
    feeds: LoopbackServer, cluster_by_auth: dict[str, str], caplog: pytest.LogCaptureFixture, auth: str
) -> None:
    code = cluster_by_auth[auth]
    config = connector_config(code, feeds.url, SECRET, "json")
    wrong = {
        name: ("wrong-secret" if name in ("token", "key", "password") else value)
        for name, value in config["auth"].items()
    }
    caplog.set_level(logging.DEBUG)

    with pytest.raises(
        ConnectorError, match=r"page 1 \(http://127\.0\.0\.1:\d+/feeds/.*\): HTTP 401: the feed refused"
    ):
        connectors.get("feed_json").fetch(_source(config, code, auth=wrong), PERIOD, Limits())

    assert "wrong-secret" not in caplog.text


def test_a_feed_of_several_pages_keeps_no_validator(
    feeds: LoopbackServer, cluster_by_auth: dict[str, str]
) -> None:
    code = cluster_by_auth["bearer"]
    config = connector_config(code, feeds.url, SECRET, "json")

    pull = connectors.get(config["type"]).fetch(_source(config, code), PERIOD, Limits())

    assert len(pull.pages) > 1
    assert (pull.etag, pull.last_modified) == (None, None)


@pytest.mark.parametrize("feed", [feed for feed in FEEDS if feed != "json"])  # one page each
def test_a_second_fetch_of_a_one_page_feed_with_the_etag_is_not_modified(
    feeds: LoopbackServer, cluster_by_auth: dict[str, str], feed: str
) -> None:
    code = cluster_by_auth["bearer"]
    config = connector_config(code, feeds.url, SECRET, feed)
    connector = connectors.get(config["type"])
    first = connector.fetch(_source(config, code), PERIOD, Limits())

    source = _source(config, code, etag=first.etag, validators_url=first.validators_url)
    second = connector.fetch(source, PERIOD, Limits())

    assert first.etag
    assert second == Pull(pages=(), not_modified=True, etag=first.etag, validators_url=first.validators_url)


def test_each_cluster_gets_a_connector_configuration_of_a_known_type(
    feeds: LoopbackServer, federation: Federation
) -> None:
    configs = [connector_config(c.code, feeds.url, SECRET) for c in federation.clusters]

    assert {config["type"] for config in configs} == set(connectors.TYPES)
    assert {config["auth"]["type"] for config in configs} == set(AUTH_KINDS)


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/no-such-cluster/json?period=2024",
        "/feeds/{code}/json?period=1999",
        "/feeds/{code}/xml?period=2024",
        "/elsewhere",
    ],
)
def test_the_demo_feeds_answer_404_outside_their_clusters_periods_and_formats(
    feeds: LoopbackServer, cluster_by_auth: dict[str, str], path: str
) -> None:
    response = requests.get(feeds.url + path.format(code=cluster_by_auth["none"]), timeout=5)

    assert response.status_code == 404


def test_the_demo_feeds_add_the_latency_asked_for(
    federation: Federation, cluster_by_auth: dict[str, str]
) -> None:
    with serving(DemoFeeds(federation, SECRET, latency=0.3)) as server:
        started = time.monotonic()
        requests.get(
            f"{server.url}/feeds/{cluster_by_auth['none']}/csv?period={PERIOD}", timeout=5
        ).raise_for_status()

    assert time.monotonic() - started >= 0.3
