"""Bodies as they stream in: the byte cap holds while reading (an endless feed fails instead of
filling memory), and a body cut short is fetched again."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from typing import Any

import pytest

import connectors
from connectors.base import ConnectorError, Limits, Source
from hub.loopback import serving
from tests.slow_feed import dripping


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


def test_a_body_dripping_in_slowly_fails_once_the_pull_s_time_is_spent() -> None:
    started = time.monotonic()
    with (
        serving(dripping) as server,
        pytest.raises(ConnectorError, match=r"page 1 .*: the pull took longer than 1 s"),
    ):
        connectors.get("csv").fetch(Source("c", server.url + "/data.csv"), "2024", Limits(max_seconds=1.0))
    assert time.monotonic() - started < 5.0


def test_a_declared_length_over_the_cap_fails_before_reading() -> None:
    with (
        serving(sized) as server,
        pytest.raises(ConnectorError, match=r"page 1 .*: the pull would exceed 1000 bytes"),
    ):
        connectors.get("csv").fetch(Source("c", server.url + "/data.csv"), "2024", Limits(max_bytes=1000))


def test_a_body_cut_short_is_fetched_again() -> None:
    attempts: list[int] = []

    def cut_once(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        attempts.append(1)
        start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", "5000")])
        return [b"indicator,value\n" if len(attempts) == 1 else b"x" * 5000]

    sleeps: list[float] = []
    with serving(cut_once) as server:
        pull = connectors.get("csv", sleep=sleeps.append).fetch(Source("c", server.url), "2024", Limits())

    assert len(pull.pages[0].body) == 5000
    assert len(sleeps) == 1


def test_a_body_cut_short_does_not_count_against_the_byte_cap() -> None:
    attempts: list[int] = []

    def cut_once(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        attempts.append(1)
        start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", "5000")])
        return [b"x" * (3000 if len(attempts) == 1 else 5000)]

    with serving(cut_once) as server:
        pull = connectors.get("csv", sleep=lambda _: None).fetch(
            Source("c", server.url), "2024", Limits(max_bytes=6000)
        )

    assert len(pull.pages[0].body) == 5000
