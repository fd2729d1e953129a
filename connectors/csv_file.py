"""``csv``: one CSV file whose columns the mapping names (default: the hub's own CSV columns)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors import http
from connectors.base import Page, Source
from connectors.mapping import Renamer
from connectors.text import SingleFile, rows


class CsvFile(SingleFile):
    name = "csv"

    def observations(self, page: Page, source: Source, period: str) -> Iterator[dict[str, Any]]:
        columns = source.mapping.get("columns") or {}
        indicator = columns.get("indicator", "indicator")
        value = columns.get("value", "value")
        renamer = Renamer(source.mapping)
        lines = rows(page)
        first = next(lines, None)
        if first is None:
            return
        header = [name.strip() for name in first[1]]
        missing = [name for name in (indicator, value) if name not in header]
        if missing:
            raise http.page_error(page, f"no column {missing[0]!r} in the header", line=1)
        dimensions = columns.get("dimensions") or {
            name: name for name in header if name not in (indicator, value)
        }
        absent = [column for column in dimensions.values() if column not in header]
        if absent:
            raise http.page_error(page, f"no column {absent[0]!r} in the header", line=1)
        at = {name: header.index(name) for name in header}
        for _, cells in lines:
            yield renamer.observation(
                cells[at[indicator]].strip(),
                cells[at[value]],
                {dim: cells[at[col]].strip() for dim, col in dimensions.items() if cells[at[col]].strip()},
            )
