"""The byte cap holds while the body streams: an endless feed fails instead of filling memory."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import pytest

import connectors
from connectors.base import ConnectorError, Limits, Source
from hub.loopback import serving


def endless(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/csv")])
    return itertools.repeat(b"x" * 4096)


def sized(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", "5000")])
    return [b"x" * 5000]


def test_an_endless_body_fails_at_the_byte_cap_while_streaming() -> None:
    with (
        serving(endless) as server,
        pytest.raises(ConnectorError, match=r"page 1 .*: the pull exceeds 100000 bytes"),
    ):
        connectors.get("csv").fetch(Source("c", server.url + "/data.csv"), "2024", Limits(max_bytes=100_000))


def test_a_declared_length_over_the_cap_fails_before_reading() -> None:
    with (
        serving(sized) as server,
        pytest.raises(ConnectorError, match=r"page 1 .*: the pull would exceed 1000 bytes"),
    ):
        connectors.get("csv").fetch(Source("c", server.url + "/data.csv"), "2024", Limits(max_bytes=1000))
