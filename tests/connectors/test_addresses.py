"""A feed's redirects lead off its host to public addresses only (no request into the hub's network)."""

from __future__ import annotations

import pytest

import connectors
from connectors.addresses import is_public
from connectors.base import ConnectorError, Limits, Source
from hub.loopback import serving
from tests.connectors.recorder import Recorder

CSV = [("Content-Type", "text/csv")], b"indicator,value\nEVENTS,3\n"


def redirecting_to(url: str) -> Recorder:
    return Recorder(lambda _path: ("302 Found", [("Location", url)], b""))


@pytest.mark.parametrize("scheme", ["http", "https"])  # https: refused before the TLS handshake
def test_a_redirect_off_the_feed_s_host_to_a_private_address_is_refused_before_a_request_goes_there(
    scheme: str,
) -> None:
    internal = Recorder(lambda _path: ("200 OK", *CSV))
    with serving(internal) as target:
        feed = redirecting_to(f"{scheme}://localhost:{target.port}/secret.csv")
        with (
            serving(feed) as server,
            pytest.raises(
                ConnectorError,
                match=r"^page 1 \(http://127\.0\.0\.1:\d+/feed\.csv\?period=2024\): a redirect led to"
                r" localhost, a private address \((127\.0\.0\.1|::1)\); the hub follows redirects away"
                r" from the feed's host to public addresses only$",
            ),
        ):
            connectors.get("csv").fetch(Source("c", f"{server.url}/feed.csv"), "2024", Limits(retries=2))

    assert internal.received == []
    assert len(feed.received) == 1  # refused at once, not retried


def test_a_redirect_to_another_port_of_the_feed_s_own_host_is_followed_whatever_its_address() -> None:
    storage = Recorder(lambda _path: ("200 OK", *CSV))
    with serving(storage) as elsewhere, serving(redirecting_to(f"{elsewhere.url}/file.csv")) as server:
        pull = connectors.get("csv").fetch(Source("c", f"{server.url}/feed.csv"), "2024", Limits())

    assert pull.pages[0].body == CSV[1]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # a cloud's metadata service
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fd00::1",
        "fe80::1%eth0",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_private_loopback_link_local_and_shared_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)
