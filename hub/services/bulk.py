"""Insert many rows of one table in as few round trips and as little Python as the backend allows.

On SQLite the statement is written once per table and column set, each value goes through
its column type's bind processor (``UTCDateTime``, ``JSON``, ``Boolean``: the same
conversion SQLAlchemy applies), and the rows go to the DBAPI ``executemany`` as tuples:
SQLAlchemy's per-row parameter dictionaries cost more than SQLite spends inserting.
On PostgreSQL psycopg runs an ``executemany`` row by row in a Python pipeline loop, which
costs more CPU than the database spends inserting; one ``INSERT ... SELECT FROM
unnest(arrays)`` sends each varying column as one array.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import JSON, Dialect, String, Table, TextClause, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None
_MISSING = object()


def insert_rows(
    session: Session,
    table: Table,
    constants: dict[str, Any],
    columns: dict[str, list[Any]],
    *,
    skip_existing: tuple[str, ...] = (),
) -> None:
    """Insert one row per position of the ``columns`` lists; ``constants`` go in every row.

    ``skip_existing`` names unique columns: a row whose values there are already stored is
    left out (``ON CONFLICT DO NOTHING``). Rows are inserted in the order given.
    """
    count = len(next(iter(columns.values())))
    if count == 0:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        params = {f"c_{name}": _value(table, name, value) for name, value in constants.items()}
        for name, values in columns.items():
            params[f"a_{name}"] = _processed(_json, values) if _is_json(table, name) else values
        session.execute(_unnest(table, tuple(constants), tuple(columns), skip_existing), params)
        return
    sql, processors = _positional_insert(table, tuple(constants) + tuple(columns), skip_existing, dialect)
    once, each = processors[: len(constants)], processors[len(constants) :]
    fixed = tuple(_bound(processor, value) for processor, value in zip(once, constants.values(), strict=True))
    varying = [
        _processed(processor, values) for processor, values in zip(each, columns.values(), strict=True)
    ]
    session.connection().exec_driver_sql(sql, [fixed + row for row in zip(*varying, strict=True)])


def _bound(processor: Processor, value: Any) -> Any:
    return value if processor is None else processor(value)


def _processed(processor: Processor, values: list[Any]) -> list[Any]:
    """``values`` through ``processor``; a dict of strings is processed once however often it
    recurs: a submission repeats a few dimension sets over all its rows, and serialising
    them was most of a row's cost."""
    if processor is None:
        return values
    done: dict[tuple[tuple[str, str], ...], Any] = {}
    result = []
    for value in values:
        key = _strings_key(value)
        if key is None:
            result.append(processor(value))
            continue
        bound = done.get(key, _MISSING)
        if bound is _MISSING:
            bound = done[key] = processor(value)
        result.append(bound)
    return result


def _strings_key(value: Any) -> tuple[tuple[str, str], ...] | None:
    """A hashable stand-in for a dict whose keys and values are all strings, None for anything
    else (``1``, ``1.0`` and ``True`` are equal keys yet serialise differently)."""
    if type(value) is not dict:
        return None
    items = tuple(value.items())
    if all(type(name) is str and type(code) is str for name, code in items):
        return items
    return None


@lru_cache(maxsize=64)
def _positional_insert(
    table: Table, names: tuple[str, ...], skip_existing: tuple[str, ...], dialect: Dialect
) -> tuple[str, Sequence[Processor]]:
    """The ``qmark`` INSERT of ``names`` and each column's bind processor, in that order."""
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)})"
        f" VALUES ({', '.join('?' for _ in names)}){_on_conflict(skip_existing)}"
    )
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    return sql, processors


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def _value(table: Table, name: str, value: Any) -> Any:
    return _json(value) if _is_json(table, name) else value


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _on_conflict(skip_existing: tuple[str, ...]) -> str:
    return f" ON CONFLICT ({', '.join(skip_existing)}) DO NOTHING" if skip_existing else ""


@cache
def _unnest(
    table: Table, constants: tuple[str, ...], columns: tuple[str, ...], skip_existing: tuple[str, ...]
) -> TextClause:
    dialect = postgresql.dialect()

    def sql_type(name: str) -> str:
        column_type = table.c[name].type
        # Without its length: an explicit cast to VARCHAR(n) cuts longer text without a word
        # (and a cut key no longer finds its row), where the insert's own conversion to the
        # column refuses it, as any other insert would.
        if type(column_type) is String and column_type.length is not None:
            column_type = String()
        return column_type.compile(dialect=dialect)

    selected = [f"CAST(:c_{name} AS {sql_type(name)})" for name in constants] + [
        f"u.{name}" for name in columns
    ]
    arrays = ", ".join(f"CAST(:a_{name} AS {sql_type(name)}[])" for name in columns)
    return text(
        f"INSERT INTO {table.name} ({', '.join(constants + columns)})"
        f" SELECT {', '.join(selected)} FROM unnest({arrays}) AS u({', '.join(columns)})"
        f"{_on_conflict(skip_existing)}"
    )
