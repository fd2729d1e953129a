"""The ``hub`` command line: operators' access to the same services as the API."""

from __future__ import annotations

import click

from hub.cli import admin, aggregate, core, demo, jobs, sync


@click.group(help="AFPC Hub: the data exchange hub of the French competitiveness clusters.")
def main() -> None:
    pass


COMMANDS = (*core.COMMANDS, *admin.COMMANDS, *aggregate.COMMANDS, *sync.COMMANDS, *jobs.COMMANDS)
for command in (*COMMANDS, *demo.COMMANDS):
    main.add_command(command)
