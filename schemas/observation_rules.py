"""The rules one observation row must follow, compiled once from the catalogue.

Marshmallow validates a few fields per microsecond, which is too slow for a 200,000-row
submission; these checks are plain Python over a precompiled table. ``ObservationSchema``
calls the same function, so the schema and the fast path cannot disagree.

A checker answers ``(problems, row)``: problems are ``(field, message)`` pairs, where
``field`` is ``indicator``, ``value``, ``dimensions.<name>``, an unknown field's name, or
``""`` for the row as a whole; callers turn them into JSON paths or CSV columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from schemas.reference import catalogue, period_periodicity

OBSERVATION_FIELDS = frozenset({"indicator", "value", "dimensions"})
Problems = list[tuple[str, str]]
# No value may exceed this, whatever the catalogue says: an indicator without a maximum would
# otherwise take 1e308, whose national sum overflows (PostgreSQL then refuses to aggregate the
# period at all, and SQLite stores an infinity JSON cannot carry), and an integer too wide for
# a double. A trillion is far above any cluster's yearly figure, in euros or in anything else,
# and sums of up to 9,000 clusters' values stay exact whole numbers in a double (below 2**53).
VALUE_CEILING = 1e12


class ObservationRow(NamedTuple):
    indicator: str
    dims_key: str
    dimensions: dict[str, str]
    value: float | int


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    periodicity: str
    derived: bool
    integer: bool
    minimum: float | None
    maximum: float
    unit: str
    dimensions: dict[str, frozenset[str]]


@cache
def indicator_rules() -> dict[str, IndicatorRule]:
    cat = catalogue()
    return {
        item.code: IndicatorRule(
            code=item.code,
            periodicity=item.periodicity,
            derived=item.derived,
            integer=item.value_type == "integer",
            minimum=item.min,
            maximum=VALUE_CEILING if item.max is None else min(item.max, VALUE_CEILING),
            unit=item.unit,
            dimensions={name: cat.allowed_codes(name) for name in item.dimensions},
        )
        for item in cat.indicators.values()
    }


def dims_key(dimensions: dict[str, str]) -> str:
    """The canonical key of a set of dimensions: ``funder=ANR``, ``""`` for the total."""
    if not dimensions:
        return ""
    return ",".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))


def value_problem(rule: IndicatorRule, value: Any) -> str | None:
    """Why ``value`` cannot be a value of ``rule``'s indicator, or None when it can."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "must be a finite number"
        if rule.integer and not value.is_integer():
            return f"must be a whole number ({rule.unit})"
    if rule.minimum is not None and value < rule.minimum:
        return f"must be at least {rule.minimum:g} ({rule.unit})"
    if value > rule.maximum:
        return f"must be at most {rule.maximum:g} ({rule.unit})"
    return None


def _dimension_problems(rule: IndicatorRule, dimensions: Any, problems: Problems) -> dict[str, str]:
    if not isinstance(dimensions, dict):
        problems.append(("dimensions", "must be an object of dimension codes"))
        return {}
    for name, code in dimensions.items():
        allowed = rule.dimensions.get(name)
        if allowed is None:
            expected = ", ".join(rule.dimensions) or "none"
            problems.append(
                (f"dimensions.{name}", f"{rule.code} has no dimension {name!r} (allowed: {expected})")
            )
        elif not isinstance(code, str) or code not in allowed:
            problems.append((f"dimensions.{name}", f"unknown {name} code {code!r}"))
    return dimensions


def check_observation(row: Any, period: str | None) -> tuple[Problems, ObservationRow | None]:
    """Check one observation against the catalogue for ``period`` (None: period invalid)."""
    if not isinstance(row, dict):
        return [("", "must be an object")], None
    problems: Problems = []
    if not OBSERVATION_FIELDS.issuperset(row):
        problems.extend((name, "unknown field") for name in row if name not in OBSERVATION_FIELDS)
    code = row.get("indicator")
    rule = indicator_rules().get(code) if isinstance(code, str) else None
    if code is None:
        problems.append(("indicator", "missing required field"))
    elif rule is None:
        problems.append(("indicator", f"unknown indicator {code!r}"))
    elif rule.derived:
        problems.append(("indicator", f"{code} is derived from the member lists and cannot be pushed"))
    elif period is not None and rule.periodicity != (periodicity := period_periodicity(period)):
        problems.append(("indicator", f"{code} is {rule.periodicity}; period {period} is {periodicity}"))
    value: Any = row.get("value")
    if "value" not in row:
        problems.append(("value", "missing required field"))
    elif rule is not None and (message := value_problem(rule, value)) is not None:
        problems.append(("value", message))
    dimensions = row.get("dimensions") or {}
    if rule is not None and (dimensions or "dimensions" in row):
        dimensions = _dimension_problems(rule, row.get("dimensions"), problems)
    if problems or rule is None:
        return problems, None
    number: float | int = int(value) if rule.integer else value
    return problems, ObservationRow(rule.code, dims_key(dimensions), dimensions, number)
