"""What every command needs: the configuration, an engine, a unit of work."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import click
from sqlalchemy.orm import Session

from hub.config import Config, ConfigError
from hub.db import transaction
from hub.errors import FieldProblem, HubError, InvalidInput
from hub.state import HubState

PORT = click.IntRange(1, 65535)


def check_port_free(host: str, port: int) -> None:
    """Refuse a port the hub cannot listen on at once: gunicorn would find out only after its
    five retries, and ``hub demo`` only after a minute of loading."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = error.strerror or str(error)
            raise click.UsageError(
                f"cannot listen on {host}:{port} ({reason}): choose another --port"
            ) from None


def checked_config() -> Config:
    """The configuration, or the command's end with every problem it has."""
    try:
        return Config.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@cache
def hub_state() -> HubState:
    return HubState.build(checked_config())


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for the command, with domain errors shown as a clear message."""
    try:
        with transaction(hub_state().sessions) as session:
            yield session
    except InvalidInput as exc:
        raise click.ClickException(_describe(exc.errors)) from exc
    except HubError as exc:
        raise click.ClickException(exc.detail) from exc


def _describe(errors: list[FieldProblem]) -> str:
    return "; ".join(f"{error.path}: {error.message}" if error.path else error.message for error in errors)
