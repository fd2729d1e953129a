"""What the CSV-based types share: one file at the URL, read as UTF-8 rows with every fault
named by page and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from connectors import http
from connectors.base import Page, Source


def rows(page: Page) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each non-blank row; the header first. A row with a field count other
    than the header's is a cut or broken file, never silently padded."""
    try:
        text = page.body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = page.body[: error.start].count(b"\n") + 1
        raise http.page_error(page, "the bytes are not UTF-8", line=line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    width = None
    try:
        for cells in reader:
            if not cells:
                continue
            if width is None:
                width = len(cells)
            elif len(cells) != width:
                raise http.page_error(
                    page,
                    f"expected {width} fields, found {len(cells)}: truncated or broken",
                    line=reader.line_num,
                )
            yield reader.line_num, cells
    except csv.Error as error:
        raise http.page_error(page, f"unreadable CSV: {error}", line=reader.line_num) from None


class SingleFile(http.HttpConnector):
    """A connector whose feed is one CSV file, mapped to observations row by row."""

    def to_submission(self, pages: Sequence[Page], source: Source, period: str) -> dict[str, Any]:
        observations: list[dict[str, Any]] = []
        for page in pages:
            observations.extend(self.observations(page, source, period))
        return {"period": period, "observations": observations}

    def observations(self, page: Page, source: Source, period: str) -> Iterator[dict[str, Any]]:
        raise NotImplementedError
