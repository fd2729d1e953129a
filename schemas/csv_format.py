"""CSV submission bodies: a header ``indicator,value[,dimension...]`` then one observation per line.

A dimension column is named by its dimension code (``funder``, ``category``); an empty cell
means the observation has no such dimension. Rows are read one at a time from the stream
and checked by the same rules as JSON, with places given as ``line 7, column value``.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterator
from typing import IO, Any

from schemas.reference import catalogue, is_period
from schemas.submission import CheckedSubmission, check_observations

REQUIRED = ("indicator", "value")


def _number(cell: str) -> Any:
    """The cell as an int or float; text that is no number stays text, for the rules to refuse."""
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell


def _header_problems(header: list[str]) -> list[tuple[str, str]]:
    known = {code for item in catalogue().indicators.values() for code in item.dimensions}
    problems = []
    if [name.strip() for name in header[:2]] != list(REQUIRED):
        problems.append(("line 1", "the header must start with indicator,value"))
    for position, name in enumerate(header[2:], start=3):
        if name.strip() not in known:
            problems.append((f"line 1, column {position}", f"unknown dimension column {name!r}"))
    if len({name.strip() for name in header}) != len(header):
        problems.append(("line 1", "a column is named twice"))
    return problems


def _records(reader: Any, problems: list[tuple[str, str]]) -> Iterator[list[str]]:
    """The reader's records up to one it cannot read (a cell over ``csv.field_size_limit()``),
    which is a problem of its line: past it the cells no longer line up, so reading stops."""
    try:
        yield from reader
    except csv.Error as error:
        problems.append((f"line {reader.line_num}", f"unreadable CSV: {error}"))


def check_csv(text: IO[str], period: str) -> CheckedSubmission:
    """Read and check a CSV body to its end; every problem is reported, the body is read once."""
    checked = CheckedSubmission(period=period)
    period_ok = is_period(period)
    if not period_ok:
        checked.problems.append(("period", "must be a period: 2025, 2025-Q1, 2025-S1 or 2025-01"))
    reader = csv.reader(text)
    unreadable: list[tuple[str, str]] = []
    records = _records(reader, unreadable)
    header = next(records, None)
    if header is None:
        checked.problems.extend(
            unreadable or [("line 1", "the body is empty: expected a header indicator,value[,dimension...]")]
        )
        return checked
    header_problems = _header_problems(header)
    checked.problems.extend(header_problems)
    if any(path == "line 1" for path, _ in header_problems):
        return checked
    columns = [name.strip() for name in header]
    dimensions = tuple(enumerate(columns[2:], start=2))
    lines = array("L")

    def rows() -> Iterator[dict[str, Any]]:
        for cells in records:
            if not cells:
                continue
            lines.append(reader.line_num)
            row: dict[str, Any] = {"indicator": cells[0].strip()}
            if len(cells) > 1 and cells[1].strip():
                row["value"] = _number(cells[1].strip())
            dims = {name: cells[i].strip() for i, name in dimensions if i < len(cells) and cells[i].strip()}
            if dims:
                row["dimensions"] = dims
            if len(cells) > len(columns):
                row[str(len(columns) + 1)] = cells[len(columns)]
            yield row

    def where(index: int, field: str) -> str:
        line = lines[index]
        if not field:
            return f"line {line}"
        return f"line {line}, column {field.removeprefix('dimensions.')}"

    check_observations(rows(), period if period_ok else None, checked, where)
    checked.problems.extend(unreadable)
    if not lines and not unreadable:
        checked.problems.append(("line 2", "no observation rows after the header"))
    return checked
