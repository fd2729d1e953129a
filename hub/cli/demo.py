"""``hub demo``: prepare the demo instance, then serve it until Ctrl-C."""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from hub.cli.context import PORT, check_port_free, hub_state
from hub.demo.credentials import ROLES, credentials_path
from hub.demo.pipeline import DemoSummary, prepare
from hub.demo.pull import feeds_secret
from hub.demo.push import DemoError
from hub.demo_feeds import DemoFeeds
from hub.loopback import LoopbackServer
from hub.synthetic import generate


@contextmanager
def _bar(label: str, steps: int) -> Iterator[Callable[[int], None]]:
    with click.progressbar(length=steps, label=f"{label:<22}", show_pos=True) as bar:
        yield bar.update


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """The request log of the in-process pushes would drown the progress bars."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _banner(summary: DemoSummary, url: str) -> str:
    lines = [
        "",
        "AFPC Hub demo" + (" (instance reused)" if summary.reused else ""),
        f"  {len(summary.pushed)} clusters pushed over the API, {len(summary.pulled)} pulled from "
        f"demo feeds, periods {', '.join(summary.periods)} aggregated",
        f"  URL      {url}",
        f"  API docs {url}/docs",
        "  demo API clients (POST /oauth/token, grant_type=client_credentials):",
    ]
    for role in ROLES:
        entry = summary.credentials[role]
        scope = f" (cluster {entry['cluster']})" if entry["cluster"] else ""
        lines.append(f"    {role:<9} {entry['client_id']}  {entry['client_secret']}{scope}")
    lines.append(f"  (also saved, owner-only, in {credentials_path(hub_state())})")
    return "\n".join(lines)


def _start_scheduler() -> None:
    """The demo's scheduler runs beside the server, so queued pulls and changed periods are
    handled as in production; only the process that started it stops it (gunicorn forks)."""
    process = subprocess.Popen([sys.executable, "-m", "hub", "scheduler"])
    owner = os.getpid()

    def stop() -> None:
        if os.getpid() == owner and process.poll() is None:
            process.terminate()
            process.wait(timeout=30)

    atexit.register(stop)


@click.command("demo")
@click.option("--port", default=8000, show_default=True, type=PORT)
def demo_command(port: int) -> None:
    """Initialise, load a synthetic federation through the API and feeds, aggregate, serve."""
    check_port_free("127.0.0.1", port)
    state = hub_state()
    federation = generate()
    # The clusters' systems: served from this process for as long as the demo runs, so the
    # scheduler's nightly and on-demand pulls reach them too.
    feeds = LoopbackServer(DemoFeeds(federation, feeds_secret(state)))
    try:
        with _quiet_logs():
            summary = prepare(state, _bar, federation, feeds.url)
    except DemoError as exc:
        feeds.stop()
        raise click.ClickException(str(exc)) from exc
    url = f"http://127.0.0.1:{port}"
    click.echo(_banner(summary, url))
    state.engine.dispose()  # the server's workers open their own connections
    _start_scheduler()
    from hub.server import serve

    serve(host="127.0.0.1", port=port, workers=2)


COMMANDS = (demo_command,)
