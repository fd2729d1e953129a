"""No credential ever reaches an error message, a log line or a URL, whatever the auth kind."""

from __future__ import annotations

import base64
import json
import logging
import random
from collections.abc import Iterator

import pytest
import responses

import connectors
from connectors.base import ConnectorError, Limits, Source
from hub.loopback import serving
from tests.connectors.recorder import Recorder

URL = "https://feed.example/afpc"
FIRST = f"{URL}?period=2024"
SECRET = "s3cr3t-value-never-shown"
AUTHS = {
    "bearer": {"type": "bearer", "token": SECRET},
    "api_key": {"type": "api_key", "header": "X-Api-Key", "key": SECRET},
    "basic": {"type": "basic", "username": "cluster", "password": SECRET},
}

HEADERS = {
    "bearer": ("Authorization", f"Bearer {SECRET}"),
    "api_key": ("X-Api-Key", SECRET),
    "basic": ("Authorization", "Basic " + base64.b64encode(f"cluster:{SECRET}".encode()).decode()),
}


@pytest.fixture
def feed() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize("kind", list(AUTHS))
@pytest.mark.parametrize("status", [401, 403, 503])
def test_no_credential_appears_in_errors_logs_or_urls(
    feed: responses.RequestsMock, caplog: pytest.LogCaptureFixture, kind: str, status: int
) -> None:
    feed.get(FIRST, status=status)
    connector = connectors.get("feed_json", sleep=lambda _: None, rng=random.Random(1))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ConnectorError) as error:
        connector.fetch(Source("c", URL, AUTHS[kind]), "2024", Limits(retries=2))

    assert SECRET not in str(error.value)
    assert SECRET not in caplog.text
    assert all(SECRET not in call.request.url for call in feed.calls)


@pytest.mark.parametrize("kind", list(AUTHS))
def test_credentials_travel_in_headers(feed: responses.RequestsMock, kind: str) -> None:
    feed.get(FIRST, body='{"period": "2024", "observations": [], "next": null}')

    connectors.get("feed_json").fetch(Source("c", URL, AUTHS[kind]), "2024", Limits())

    name, value = HEADERS[kind]
    assert feed.calls[0].request.headers[name] == value


def test_an_unknown_auth_type_is_refused() -> None:
    with pytest.raises(
        ConnectorError, match=r"page 1 \(https://feed.example/afpc\?period=2024\): unknown auth type 'oauth'"
    ):
        connectors.get("csv").fetch(Source("c", URL, {"type": "oauth", "token": SECRET}), "2024", Limits())


def test_a_missing_auth_field_is_named_without_any_value() -> None:
    with pytest.raises(ConnectorError, match="auth 'basic' needs the field 'password'") as error:
        connectors.get("csv").fetch(Source("c", URL, {"type": "basic", "username": SECRET}), "2024", Limits())

    assert SECRET not in str(error.value)


CSV = [("Content-Type", "text/csv")], b"indicator,value\nEVENTS,3\n"


@pytest.mark.parametrize("kind", list(AUTHS))
def test_a_redirect_to_another_origin_gets_no_credential(kind: str) -> None:
    storage = Recorder(lambda _path: ("200 OK", *CSV))
    with serving(storage) as elsewhere:
        feed = Recorder(lambda _path: ("302 Found", [("Location", f"{elsewhere.url}/file.csv")], b""))
        with serving(feed) as server:
            pull = connectors.get("csv").fetch(
                Source("c", f"{server.url}/feed.csv", AUTHS[kind]), "2024", Limits()
            )

    header, _value = HEADERS[kind]
    assert header in feed.received[0]
    assert header not in storage.received[0]
    assert pull.pages[0].body == CSV[1]


@pytest.mark.parametrize("kind", list(AUTHS))
def test_a_redirect_on_the_feed_s_own_origin_keeps_the_credentials(kind: str) -> None:
    feed = Recorder(
        lambda path: (
            ("200 OK", *CSV) if path == "/file.csv" else ("302 Found", [("Location", "/file.csv")], b"")
        )
    )
    with serving(feed) as server:
        connectors.get("csv").fetch(Source("c", f"{server.url}/feed.csv", AUTHS[kind]), "2024", Limits())

    header, value = HEADERS[kind]
    assert [request.get(header) for request in feed.received] == [value, value]


def test_a_next_link_to_another_origin_is_refused_before_any_request_goes_there() -> None:
    elsewhere = Recorder(lambda _path: ("200 OK", [("Content-Type", "application/json")], b"{}"))
    with serving(elsewhere) as other:
        page = json.dumps({"period": "2024", "observations": [], "next": f"{other.url}/page2"}).encode()
        feed = Recorder(lambda _path: ("200 OK", [("Content-Type", "application/json")], page))
        with (
            serving(feed) as server,
            pytest.raises(ConnectorError, match=r"page 2 .*: the next link leads away"),
        ):
            connectors.get("feed_json").fetch(
                Source("c", f"{server.url}/feed", AUTHS["bearer"]), "2024", Limits()
            )

    assert elsewhere.received == []


def test_a_password_in_the_feed_s_url_never_reaches_a_message(caplog: pytest.LogCaptureFixture) -> None:
    missing = Recorder(lambda _path: ("404 Not Found", [], b""))
    caplog.set_level(logging.DEBUG)
    with serving(missing) as server, pytest.raises(ConnectorError) as error:
        url = server.url.replace("://", f"://cluster:{SECRET}@")
        connectors.get("csv").fetch(Source("c", f"{url}/feed.csv"), "2024", Limits())

    assert "HTTP 404" in str(error.value)
    assert SECRET not in str(error.value) and SECRET not in caplog.text


@pytest.mark.parametrize(
    "auth",
    [
        {"type": "bearer", "token": f"{SECRET}\n"},
        {"type": "api_key", "header": "X-Api-Key", "key": f" {SECRET}"},
    ],
    ids=["token-with-a-trailing-newline", "key-with-a-leading-space"],
)
def test_a_credential_that_is_no_valid_header_value_fails_the_pull_without_showing_it(
    caplog: pytest.LogCaptureFixture, auth: dict[str, str]
) -> None:
    feed = Recorder(lambda _path: ("200 OK", *CSV))
    caplog.set_level(logging.DEBUG)
    with serving(feed) as server, pytest.raises(ConnectorError) as error:
        connectors.get("csv").fetch(Source("c", f"{server.url}/feed.csv", auth), "2024", Limits())

    assert "is not a valid HTTP header value" in str(error.value)
    assert SECRET not in str(error.value) and SECRET not in caplog.text
    assert feed.received == []
