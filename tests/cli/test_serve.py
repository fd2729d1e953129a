"""``hub serve`` and ``hub demo`` refuse a port they cannot listen on at once, with a clear message."""

import socket
import time
from collections.abc import Iterator

import pytest


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("command", [["serve"], ["demo"]])
def test_a_port_in_use_is_refused_before_anything_starts(run, taken_port, command):
    started = time.monotonic()
    result = run(*command, "--port", str(taken_port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{taken_port}" in result.output
    assert time.monotonic() - started < 5  # the demo's loading takes a minute


@pytest.mark.parametrize("command", [["serve"], ["demo"]])
def test_a_port_out_of_range_is_refused(run, command):
    result = run(*command, "--port", "99999")
    assert result.exit_code == 2
    assert "99999 is not in the range 1<=x<=65535" in result.output


def test_serve_refuses_a_bad_configuration_before_anything_starts(run, taken_port, monkeypatch):
    monkeypatch.setenv("HUB_SYNC_CONCURRENCY", "many")
    result = run("serve", "--port", str(taken_port))
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: invalid configuration: HUB_SYNC_CONCURRENCY must be a whole number, not 'many'\n"
    )
