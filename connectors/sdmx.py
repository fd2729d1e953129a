"""``sdmx``: SDMX-CSV 1.0 (``DATAFLOW`` first) or 2.0 (``STRUCTURE,STRUCTURE_ID,ACTION``), one
column per dimension code list; rows of other periods and missing values are left out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors import http
from connectors.base import Page, Source
from connectors.mapping import Renamer
from connectors.text import SingleFile, rows

REQUIRED = ("INDICATOR", "TIME_PERIOD", "OBS_VALUE")
# SDMX columns that are not one of the hub's dimensions: structure, frequency, area, attributes.
NOT_DIMENSIONS = frozenset(
    {
        "DATAFLOW",
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        "FREQ",
        "REF_AREA",
        "BREAKDOWN",
        "OBS_STATUS",
        "CONF_STATUS",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "DECIMALS",
        "OBS_COMMENT",
        *REQUIRED,
    }
)
MISSING = frozenset({"", "NAN", "NA"})
NO_CODE = frozenset({"", "_T", "_Z"})


def _column(name: str) -> str:
    """The column's id: SDMX-CSV with labels writes ``ID: Label``."""
    return name.split(":", 1)[0].strip().upper()


class Sdmx(SingleFile):
    name = "sdmx"

    def observations(self, page: Page, source: Source, period: str) -> Iterator[dict[str, Any]]:
        renamer = Renamer(source.mapping)
        lines = rows(page)
        first = next(lines, None)
        if first is None:
            return
        header = [_column(name) for name in first[1]]
        if header[:1] != ["DATAFLOW"] and header[:3] != ["STRUCTURE", "STRUCTURE_ID", "ACTION"]:
            raise http.page_error(
                page, "not SDMX-CSV: the first column is neither DATAFLOW nor STRUCTURE", line=1
            )
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise http.page_error(page, f"no column {missing[0]} in the header", line=1)
        at = {name: header.index(name) for name in REQUIRED}
        dimensions = [(name.lower(), i) for i, name in enumerate(header) if name not in NOT_DIMENSIONS]
        for _, cells in lines:
            value = cells[at["OBS_VALUE"]].strip()
            if cells[at["TIME_PERIOD"]].strip() != period or value.upper() in MISSING:
                continue
            yield renamer.observation(
                cells[at["INDICATOR"]].strip(),
                value,
                {dim: cells[i].strip() for dim, i in dimensions if cells[i].strip().upper() not in NO_CODE},
            )
