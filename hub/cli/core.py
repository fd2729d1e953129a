"""``hub init`` and ``hub serve``."""

from __future__ import annotations

import click

from hub.cli.context import PORT, check_port_free, checked_config, hub_state
from hub.errors import HubError
from hub.services.setup import initialise


@click.command("init")
def init_command() -> None:
    """Create or upgrade the database, signing keys, catalogue and registry (idempotent)."""
    state = hub_state()
    try:
        result = initialise(state.config, state.engine)
    except HubError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(
        f"database ready ({state.config.dialect}); "
        f"signing key {'created' if result['signing_key_created'] else 'present'}; "
        f"{result['indicators']} indicator(s) and {result['clusters']} cluster(s) added"
    )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(min=1), help="gunicorn worker processes"
)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the web application with gunicorn."""
    from hub.server import serve

    checked_config()  # here, not as a traceback in every worker
    check_port_free(host, port)
    serve(host=host, port=port, workers=workers)


COMMANDS = (init_command, serve_command)
