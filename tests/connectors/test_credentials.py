"""No credential ever reaches an error message, a log line or a URL, whatever the auth kind."""

from __future__ import annotations

import base64
import logging
import random
from collections.abc import Iterator

import pytest
import responses

import connectors
from connectors.base import ConnectorError, Limits, Source

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
