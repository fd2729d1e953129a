"""The pulled half of the demo federation: each cluster's system is a demo feed on a loopback
port, its connector is configured as an admin would (with a nightly schedule), and every
period is pulled over real HTTP through the same front door as a push.

Most pulled clusters serve the standard JSON feed, member list included; every fifth serves
a CSV or SDMX file instead, which carries indicators only, so those clusters push their member
list through the API, as a cluster whose CRM exports figures but not members would."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from hub.db import transaction
from hub.demo.credentials import write_private
from hub.demo.push import DemoError
from hub.demo_feeds import connector_config
from hub.services import sync
from hub.services.connectors import Settings, configure
from hub.state import HubState

SCHEDULE = "0 3 * * *"  # nightly, as clusters' systems are usually exported
OTHER_FEEDS = ("csv", "csv-fr", "sdmx")
SECRET_FILE = "demo-feeds.secret"


def feed_of(index: int) -> str:
    return OTHER_FEEDS[(index // 5) % len(OTHER_FEEDS)] if index % 5 == 4 else "json"


def without_members(pulled: Sequence[str]) -> list[str]:
    """The pulled clusters whose feed carries no member list."""
    return [code for index, code in enumerate(pulled) if feed_of(index) != "json"]


def feeds_secret(state: HubState) -> str:
    """The demo feeds' credentials derive from this instance's own random secret."""
    path = Path(state.config.instance_dir) / SECRET_FILE
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def configure_connectors(state: HubState, pulled: Sequence[str], feeds_url: str) -> None:
    """Point every pulled cluster's connector at the feeds' current address."""
    secret = feeds_secret(state)
    with transaction(state.sessions) as session:
        for index, code in enumerate(pulled):
            config = connector_config(code, feeds_url, secret, feed_of(index))
            configure(
                session,
                fernet=state.fernet,
                cluster_code=code,
                settings=Settings(**config, schedule=SCHEDULE),
                actor="demo",
            )


def pull_periods(
    state: HubState, pulled: Sequence[str], periods: Sequence[str], advance: Callable[[int], None]
) -> None:
    for period in periods:
        failed = [
            f"{run.cluster_code} {period}: {run.error}"
            for run in sync.sync_many(state, pulled, period, trigger="cli", requested_by="demo")
            if run.status == "failed"
        ]
        if failed:
            raise DemoError("pulls failed: " + "; ".join(failed))
        advance(1)
