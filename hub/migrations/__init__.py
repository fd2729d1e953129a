"""Schema migrations: the only way the database schema changes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

HERE = Path(__file__).parent
# Aggregation runs write their cells with MERGE, which PostgreSQL has had since 15.
MINIMUM_POSTGRESQL = (15,)


class UnsupportedDatabase(Exception):
    """The database server is older than the schema and the aggregation engine need."""


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    with engine.begin() as connection:
        check_server(connection)
        command.upgrade(alembic_config(connection), "head")


def check_server(connection: Connection) -> None:
    """Refuse, before changing anything, a server the hub cannot run on, in words an operator
    can act on; otherwise the first aggregation run would fail on a syntax error."""
    found = connection.dialect.server_version_info or ()
    if connection.dialect.name == "postgresql" and found < MINIMUM_POSTGRESQL:
        version, needed = (".".join(str(part) for part in parts) for parts in (found, MINIMUM_POSTGRESQL))
        raise UnsupportedDatabase(
            f"PostgreSQL {version} is too old: the hub needs PostgreSQL {needed} or newer"
        )


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
