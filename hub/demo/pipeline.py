"""The demo's preparation, in the order the real system meets its data: initialise, create the
demo clients, push half of the synthetic federation, pull the other half from the demo feeds
(served at ``feeds_url`` by the caller, for as long as the demo runs), aggregate every period.
A marker in the instance folder says it all completed, so a second ``hub demo`` reuses the
instance and only serves; an interrupted one simply runs again (pushes replay by their
idempotency keys, pulls find their feeds unchanged)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from hub.db import transaction
from hub.demo.credentials import Credentials, ensure_credentials
from hub.demo.pull import configure_connectors, pull_periods, without_members
from hub.demo.push import push_clusters
from hub.services.aggregation import aggregate_period
from hub.services.setup import initialise
from hub.state import HubState
from hub.synthetic import Federation

MARKER = "demo-loaded"

# A progress display: given a label and a number of steps, a context yielding ``advance(n)``.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


@dataclass
class DemoSummary:
    credentials: Credentials
    reused: bool
    pushed: list[str] = field(default_factory=list)
    pulled: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


def split_clusters(federation: Federation) -> tuple[list[str], list[str]]:
    """Every other cluster pushes; the rest are pulled from their feeds."""
    codes = [cluster.code for cluster in federation.clusters]
    return codes[0::2], codes[1::2]


def prepare(state: HubState, progress: Progress, federation: Federation, feeds_url: str) -> DemoSummary:
    initialise(state.config, state.engine)
    pushed, pulled = split_clusters(federation)
    summary = DemoSummary(credentials=ensure_credentials(state, pushed[0]), reused=_marker(state).exists())
    summary.pushed, summary.pulled, summary.periods = pushed, pulled, list(federation.periods)
    configure_connectors(state, pulled, feeds_url)
    if summary.reused:
        return summary
    members_only = without_members(pulled)
    with progress("pushing over HTTP", len(pushed) + len(members_only)) as advance:
        push_clusters(state, federation, pushed, summary.credentials["admin"], advance, members_only)
    with progress("pulling demo feeds", len(federation.periods)) as advance:
        pull_periods(state, pulled, federation.periods, advance)
    with progress("aggregating", len(federation.periods)) as advance:
        for period in federation.periods:
            with transaction(state.sessions) as session:
                aggregate_period(session, period, config=state.config, trigger="demo")
            advance(1)
    _marker(state).touch()
    return summary


def _marker(state: HubState) -> Path:
    return Path(state.config.instance_dir) / MARKER
