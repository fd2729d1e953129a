"""The ``hub`` command line: operators' access to the same services as the API."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import OperationalError

from hub.cli import admin, aggregate, core, demo, jobs, sync
from hub.migrations import UnsupportedDatabase


class HubGroup(click.Group):
    """Tells an operator in one line that the database cannot answer: it is the environment
    (a server down, a wrong ``HUB_DATABASE_URL``), and a traceback would say "bug"."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            raise click.ClickException(f"the database could not answer: {error.orig}") from None
        except UnsupportedDatabase as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=HubGroup, help="AFPC Hub: the data exchange hub of the French competitiveness clusters.")
def main() -> None:
    pass


COMMANDS = (*core.COMMANDS, *admin.COMMANDS, *aggregate.COMMANDS, *sync.COMMANDS, *jobs.COMMANDS)
for command in (*COMMANDS, *demo.COMMANDS):
    main.add_command(command)
