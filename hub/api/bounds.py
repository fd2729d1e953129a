"""The integers a request may carry. Row ids are 32-bit on PostgreSQL (and SQLite stores no
integer past 64 bits): a wider number in a request is bad input, refused before it reaches
the database, where it would fail as a server error."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

MAX_ID = 2**31 - 1
# An id in a path: out of range, it names nothing, a 404 like any unknown id.
ID_IN_PATH = f"int(max={MAX_ID})"


def bounded_integer(**kwargs: Any) -> fields.Integer:
    """A query parameter holding an id, or a cursor made of one."""
    return fields.Integer(validate=validate.Range(min=0, max=MAX_ID), **kwargs)
