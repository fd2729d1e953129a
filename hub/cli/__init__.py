"""The ``hub`` command line: operators' access to the same services as the API."""

from __future__ import annotations

import click

from hub.cli import admin, aggregate, core, sync


@click.group(help="AFPC Hub: the data exchange hub of the French competitiveness clusters.")
def main() -> None:
    pass


for command in (*core.COMMANDS, *admin.COMMANDS, *aggregate.COMMANDS, *sync.COMMANDS):
    main.add_command(command)
