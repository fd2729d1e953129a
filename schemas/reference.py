"""The shipped reference data: indicator catalogue, code lists and cluster registry.

Read once and cached, because validation consults it for every row of every submission.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from importlib import resources

# The contract's period, spelled so that JSON Schema (ECMA-262) and Python read it alike, as
# the OpenAPI document shows it. Matched whole (``is_period``): ``$`` alone also lets "2025\n"
# through, and ``\d`` would let any script's digits in.
PERIOD_PATTERN = r"^[1-9][0-9]{3}(-(Q[1-4]|S[12]|0[1-9]|1[0-2]))?$"
PERIOD_RE = re.compile(PERIOD_PATTERN)
PERIODICITY_OF_SUFFIX = {"Q": "quarterly", "S": "half-yearly", "0": "monthly", "1": "monthly"}


@dataclass(frozen=True)
class Indicator:
    code: str
    name_fr: str
    name_en: str
    unit: str
    periodicity: str
    aggregation: str
    dimensions: tuple[str, ...]
    value_type: str
    min: float | None
    max: float | None
    weight: str | None = None
    derived: bool = False
    description: str = ""


@dataclass(frozen=True)
class ClusterEntry:
    code: str
    name: str
    region: str
    theme: str
    themes: tuple[str, ...]
    description: str
    active_from: date | None
    active_to: date | None
    extra_regions: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, Indicator]
    code_lists: dict[str, dict[str, dict[str, str]]]

    def allowed_codes(self, dimension: str) -> frozenset[str]:
        return frozenset(self.code_lists.get(dimension, {}))

    def member_count(self) -> Indicator:
        """The one indicator computed from the member lists (``distinct_members``)."""
        return next(item for item in self.indicators.values() if item.aggregation == "distinct_members")


def _data(name: str) -> str:
    return resources.files("schemas").joinpath("data", name).read_text(encoding="utf-8")


@cache
def catalogue() -> Catalogue:
    raw = json.loads(_data("catalogue.json"))
    indicators = {
        item["code"]: Indicator(
            code=item["code"],
            name_fr=item["name_fr"],
            name_en=item["name_en"],
            unit=item["unit"],
            periodicity=item["periodicity"],
            aggregation=item["aggregation"],
            dimensions=tuple(item["dimensions"]),
            value_type=item["value_type"],
            min=item.get("min"),
            max=item.get("max"),
            weight=item.get("weight"),
            derived=item.get("derived", False),
            description=item.get("description", ""),
        )
        for item in raw["indicators"]
    }
    return Catalogue(indicators=indicators, code_lists=raw["code_lists"])


@cache
def registry() -> tuple[ClusterEntry, ...]:
    rows = csv.DictReader(_data("clusters.csv").splitlines())
    return tuple(
        ClusterEntry(
            code=row["code"],
            name=row["name"],
            region=row["region"],
            theme=row["theme"],
            themes=tuple(row["themes"].split()),
            description=row["description"],
            active_from=date.fromisoformat(row["active_from"]) if row["active_from"] else None,
            active_to=date.fromisoformat(row["active_to"]) if row["active_to"] else None,
        )
        for row in rows
    )


@lru_cache(maxsize=1024)  # asked once per row of a submission, always for the same period
def period_periodicity(period: str) -> str | None:
    """The periodicity a period string denotes, or None when it is not a valid period."""
    if not is_period(period):
        return None
    sub = period[5:]
    return PERIODICITY_OF_SUFFIX[sub[0]] if sub else "annual"


def is_period(text: str) -> bool:
    """Whether ``text`` is a period: a year, or a year and its quarter, half or month."""
    return PERIOD_RE.fullmatch(text) is not None
