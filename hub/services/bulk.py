"""Insert many rows of one table in as few round trips and as little Python as the backend allows.

SQLite takes a plain ``executemany``. On PostgreSQL psycopg runs an ``executemany`` row by
row in a Python pipeline loop, which costs more CPU than the database spends inserting;
one ``INSERT ... SELECT FROM unnest(arrays)`` sends each varying column as one array.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sqlalchemy import JSON, Table, TextClause, insert, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, constants: dict[str, Any], columns: dict[str, list[Any]]
) -> None:
    """Insert one row per position of the ``columns`` lists; ``constants`` go in every row."""
    count = len(next(iter(columns.values())))
    if count == 0:
        return
    if session.get_bind().dialect.name == "postgresql":
        params = {f"c_{name}": _value(table, name, value) for name, value in constants.items()}
        for name, values in columns.items():
            params[f"a_{name}"] = (
                [_value(table, name, value) for value in values] if _is_json(table, name) else values
            )
        session.execute(_unnest(table, tuple(constants), tuple(columns)), params)
        return
    names = tuple(columns)
    session.execute(
        insert(table),
        [{**constants, **dict(zip(names, row, strict=True))} for row in zip(*columns.values(), strict=True)],
    )


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def _value(table: Table, name: str, value: Any) -> Any:
    return json.dumps(value) if _is_json(table, name) and value is not None else value


@cache
def _unnest(table: Table, constants: tuple[str, ...], columns: tuple[str, ...]) -> TextClause:
    dialect = postgresql.dialect()

    def sql_type(name: str) -> str:
        return table.c[name].type.compile(dialect=dialect)

    selected = [f"CAST(:c_{name} AS {sql_type(name)})" for name in constants] + [
        f"u.{name}" for name in columns
    ]
    arrays = ", ".join(f"CAST(:a_{name} AS {sql_type(name)}[])" for name in columns)
    return text(
        f"INSERT INTO {table.name} ({', '.join(constants + columns)})"
        f" SELECT {', '.join(selected)} FROM unnest({arrays}) AS u({', '.join(columns)})"
    )
