"""The mapping every connector type shares: source indicator and dimension codes renamed to the
hub's, and values read as numbers. Nothing here checks the catalogue: the hub's ingestion does,
and names the row.

A mapping is ``{"indicators": {SRC: HUB}, "dimensions": {dim: {SRC: HUB}}}``, and for a ``csv``
connector ``"columns": {"indicator": COL, "value": COL, "dimensions": {dim: COL}}`` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

COLUMNS = ("indicator", "value", "dimensions")
# A number as a file writes it: ASCII digits, a point, an exponent. Python's own int() and
# float() also read "1_000", "nan", "Infinity" and other scripts' digits, which a cluster's
# file does not mean as numbers.
DECIMAL = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")
INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")


def number(value: Any) -> Any:
    """Text read as a number (an int when written as one); anything else as it came, for the
    ingestion to refuse with its own message."""
    if not isinstance(value, str) or not DECIMAL.fullmatch(value):
        return value
    return int(value) if INTEGER.fullmatch(value) else float(value)


class Renamer:
    """Applies ``{"indicators": {SRC: HUB}, "dimensions": {dim: {SRC: HUB}}}`` to one row."""

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self.indicators: Mapping[str, str] = mapping.get("indicators") or {}
        self.dimensions: Mapping[str, Mapping[str, str]] = mapping.get("dimensions") or {}

    def observation(self, indicator: Any, value: Any, dimensions: Any) -> dict[str, Any]:
        """The row renamed. What is not of the shape a row takes (a code that is not text,
        dimensions that are not an object) goes on as it came, for the ingestion to refuse
        naming the row, rather than stop the pull on an error that names nothing."""
        row: dict[str, Any] = {"indicator": _renamed(self.indicators, indicator), "value": number(value)}
        if dimensions and isinstance(dimensions, Mapping):
            row["dimensions"] = {
                # A null renaming was accepted before it was refused; it may still be stored.
                name: _renamed(self.dimensions.get(name) or {}, code)
                for name, code in dimensions.items()
            }
        elif dimensions:
            row["dimensions"] = dimensions
        return row


def _renamed(codes: Mapping[str, str], code: Any) -> Any:
    return codes.get(code, code) if isinstance(code, str) else code


def mapping_problems(mapping: Any, kind: str | None) -> Iterator[tuple[str, str]]:
    """Where ``mapping`` strays from the shape above, and how: found when it is configured,
    not by a pull that stops on an unexpected error."""
    if not isinstance(mapping, Mapping):
        yield "mapping", "must be an object"
        return
    allowed = ("indicators", "dimensions", "columns") if kind == "csv" else ("indicators", "dimensions")
    for name in mapping:
        if name not in allowed:
            yield f"mapping.{name}", f"is not part of a {kind} mapping (allowed: {', '.join(allowed)})"
    yield from _renaming(mapping.get("indicators"), "mapping.indicators")
    dimensions = mapping.get("dimensions")
    if isinstance(dimensions, Mapping):
        for name, codes in dimensions.items():
            yield from _renaming(codes, f"mapping.dimensions.{name}", required=True)
    elif dimensions is not None:
        yield "mapping.dimensions", "must be an object of {dimension: {source code: hub code}}"
    columns = mapping.get("columns")
    if "columns" in allowed and columns is not None:
        yield from _columns(columns)


def _renaming(value: Any, path: str, *, required: bool = False) -> Iterator[tuple[str, str]]:
    """An object of text to text. Null means left out where a renaming may be (``indicators``);
    a dimension listed under ``dimensions`` with null says nothing a pull could apply."""
    if value is None and not required:
        return
    if not isinstance(value, Mapping):
        yield path, "must be an object of {source: hub} codes"
        return
    for source, target in value.items():
        if not isinstance(target, str):
            yield f"{path}.{source}", "must be text"


def _columns(columns: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(columns, Mapping):
        yield "mapping.columns", "must be an object naming the indicator, value and dimension columns"
        return
    for name, column in columns.items():
        if name not in COLUMNS:
            yield f"mapping.columns.{name}", f"is not a column role (allowed: {', '.join(COLUMNS)})"
        elif name != "dimensions" and not isinstance(column, str):
            yield f"mapping.columns.{name}", "must be a column name"
    yield from _renaming(columns.get("dimensions"), "mapping.columns.dimensions")
