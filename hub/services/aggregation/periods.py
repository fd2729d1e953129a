"""Period arithmetic the aggregation needs: the previous period and the dates a period spans."""

from __future__ import annotations

import calendar
from datetime import date

from hub.errors import FieldProblem, InvalidInput
from schemas.reference import catalogue, is_period, period_periodicity

NOT_A_PERIOD = "{!r} is not a period (2025, 2025-Q1, 2025-S1, 2025-01)"


def checked_periodicity(period: str) -> str:
    """The periodicity of ``period``, or a 422 naming the bad period."""
    periodicity = period_periodicity(period)
    if periodicity is None:
        raise InvalidInput([FieldProblem("period", NOT_A_PERIOD.format(period))])
    return periodicity


def query_problems(period: str | None, indicator: str | None) -> list[FieldProblem]:
    """What is wrong with asking for ``indicator`` (or every indicator) in ``period``: a bad
    period, an unknown indicator, or one reported at another periodicity, which has no figure
    for such a period. A missing period (None) is the caller's to report; the rest is checked."""
    periodicity = None if period is None else period_periodicity(period)
    bad_period = period is not None and periodicity is None
    problems = [FieldProblem("period", NOT_A_PERIOD.format(period))] if bad_period else []
    item = None if indicator is None else catalogue().indicators.get(indicator)
    if indicator is not None and item is None:
        problems.append(FieldProblem("indicator", f"unknown indicator {indicator!r}"))
    elif item is not None and periodicity is not None and item.periodicity != periodicity:
        problems.append(
            FieldProblem(
                "period",
                f"{indicator} is reported for {item.periodicity} periods, {period!r} is {periodicity}",
            )
        )
    return problems


def _months(period: str) -> tuple[int, int, int]:
    """(year, first month, month count) of a valid period."""
    assert is_period(period), period
    year, sub = int(period[:4]), period[5:]
    if not sub:
        return year, 1, 12
    if sub[0] == "Q":
        return year, 3 * int(sub[1]) - 2, 3
    if sub[0] == "S":
        return year, 6 * int(sub[1]) - 5, 6
    return year, int(sub), 1


def bounds(period: str) -> tuple[date, date]:
    """First and last day of the period."""
    year, first, count = _months(period)
    last_month = first + count - 1
    return date(year, first, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def previous(period: str) -> str:
    """The period just before ``period`` with the same periodicity (2025-Q1 -> 2024-Q4)."""
    year, first, count = _months(period)
    if count == 12:
        return str(year - 1)
    if first == 1:
        year, first = year - 1, 13 - count
    else:
        first -= count
    if count == 3:
        return f"{year}-Q{(first + 2) // 3}"
    if count == 6:
        return f"{year}-S{(first + 5) // 6}"
    return f"{year}-{first:02d}"
