"""``hub scheduler``: the job scheduler, in the foreground of its own process."""

from __future__ import annotations

import logging

import click

from hub.cli.context import hub_state


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduled and queued jobs; only one of all started schedulers is active."""
    from jobs import scheduler

    state = hub_state()
    logging.basicConfig(
        level=state.config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is noise
    scheduler.run(state)


COMMANDS = (scheduler_command,)
