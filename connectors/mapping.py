"""The mapping every connector type shares: source indicator and dimension codes renamed to the
hub's, and values read as numbers. Nothing here checks the catalogue: the hub's ingestion does,
and names the row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def number(value: Any) -> Any:
    """A number as an int when integral, else a float; text that is no number stays as it came,
    for the ingestion to refuse with its own message."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Renamer:
    """Applies ``{"indicators": {SRC: HUB}, "dimensions": {dim: {SRC: HUB}}}`` to one row."""

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self.indicators: Mapping[str, str] = mapping.get("indicators") or {}
        self.dimensions: Mapping[str, Mapping[str, str]] = mapping.get("dimensions") or {}

    def observation(self, indicator: Any, value: Any, dimensions: Mapping[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"indicator": self.indicators.get(indicator, indicator), "value": number(value)}
        if dimensions:
            row["dimensions"] = {
                name: self.dimensions.get(name, {}).get(code, code) for name, code in dimensions.items()
            }
        return row
