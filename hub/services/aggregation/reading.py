"""Reading stored aggregates: the cells a board view asks for and the period's completeness."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hub.errors import FieldProblem, InvalidInput
from hub.models import AggregateCell, Completeness
from hub.services.aggregation.periods import checked_periodicity
from schemas.reference import catalogue

LEVELS = ("region", "theme", "cluster")
HIDDEN_DETAILS = ("member_sources", "cluster_areas")  # bookkeeping for incremental runs, not figures


def check_query(period: str, indicator: str | None, by: list[str]) -> tuple[str | None, list[str]]:
    """The level and dimensions ``by`` asks for; a 422 lists every bad parameter."""
    problems = []
    if checked_or_none(period) is None:
        problems.append(
            FieldProblem("period", f"{period!r} is not a period (2025, 2025-Q1, 2025-S1, 2025-01)")
        )
    if indicator is not None and indicator not in catalogue().indicators:
        problems.append(FieldProblem("indicator", f"unknown indicator {indicator!r}"))
    dimensions = set(catalogue().code_lists) - {"region", "theme"}
    levels = [item for item in by if item in LEVELS]
    for index, item in enumerate(by):
        if item not in LEVELS and item not in dimensions:
            allowed = ", ".join(sorted({*LEVELS, *dimensions}))
            problems.append(FieldProblem(f"by[{index}]", f"{item!r} is not one of {allowed}"))
    if len(levels) > 1:
        problems.append(FieldProblem("by", "ask for one level at most (region, theme or cluster)"))
    if problems:
        raise InvalidInput(problems)
    return (levels[0] if levels else None), [item for item in by if item not in LEVELS]


def checked_or_none(period: str) -> str | None:
    try:
        return checked_periodicity(period)
    except InvalidInput:
        return None


def as_cell(row: AggregateCell) -> dict[str, Any]:
    return {
        "indicator": row.indicator_code,
        "period": row.period,
        "level": row.level,
        "area": row.area,
        "dimensions": row.dimensions,
        "value": row.value,
        "contributors": row.contributors,
        "status": row.status,
    }


def _dims_condition(dimensions: list[str]) -> Any:
    """Totals, plus the breakdowns by exactly one of the asked dimensions."""
    return or_(
        AggregateCell.dims_key == "", *(AggregateCell.dims_key.like(f"{name}=%") for name in dimensions)
    )


def list_cells(
    session: Session, *, period: str, indicator: str | None, by: list[str], limit: int, offset: int
) -> tuple[list[dict[str, Any]], bool]:
    """The national cells (always) and the breakdowns ``by`` asks for; True when more follow."""
    level, dimensions = check_query(period, indicator, by)
    wanted = [and_(AggregateCell.level == "national", _dims_condition(dimensions))]
    if level is not None:
        wanted.append(and_(AggregateCell.level == level, _dims_condition(dimensions)))
    query = select(AggregateCell).where(AggregateCell.period == period, or_(*wanted))
    if indicator is not None:
        query = query.where(AggregateCell.indicator_code == indicator)
    query = query.order_by(
        AggregateCell.indicator_code,
        AggregateCell.level != "national",
        AggregateCell.area,
        AggregateCell.dims_key,
    )
    rows = session.scalars(query.offset(offset).limit(limit + 1)).all()
    cells = [as_cell(row) for row in rows[:limit]]
    if offset == 0:
        cells = _with_missing_national(cells, period, indicator)
    return cells, len(rows) > limit


def _with_missing_national(
    cells: list[dict[str, Any]], period: str, indicator: str | None
) -> list[dict[str, Any]]:
    """National totals are always present: an indicator nobody reported gets an empty, hidden cell."""
    periodicity = checked_periodicity(period)
    present = {cell["indicator"] for cell in cells if cell["level"] == "national" and not cell["dimensions"]}
    codes = [indicator] if indicator else sorted(catalogue().indicators)
    missing: list[dict[str, Any]] = [
        {
            "indicator": code,
            "period": period,
            "level": "national",
            "area": "FR",
            "dimensions": {},
            "value": None,
            "contributors": 0,
            "status": "C",
        }
        for code in codes
        if code not in present and catalogue().indicators[code].periodicity == periodicity
    ]
    return missing + cells


def completeness(session: Session, *, period: str, indicator: str | None) -> list[dict[str, Any]]:
    query = select(Completeness).where(Completeness.period == period).order_by(Completeness.indicator_code)
    if indicator is not None:
        query = query.where(Completeness.indicator_code == indicator)
    return [
        {
            "indicator": row.indicator_code,
            "period": row.period,
            "expected": row.expected,
            "reported": row.reported,
            "missing": row.missing,
            "details": {key: value for key, value in row.details.items() if key not in HIDDEN_DETAILS},
            "computed_at": row.computed_at,
        }
        for row in session.scalars(query)
    ]
