"""Reading stored aggregates: the cells a board view asks for and the period's completeness."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Float, Integer, String, Table, and_, case, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from hub.errors import FieldProblem, InvalidInput
from hub.models import AggregateCell, Completeness
from hub.services.aggregation.periods import checked_periodicity, query_problems
from schemas.reference import catalogue

LEVELS = ("region", "theme", "cluster")
HIDDEN_DETAILS = ("member_sources", "cluster_areas", "method", "silent")  # bookkeeping for incremental runs


def query_problems_by(period: str | None, indicator: str | None, by: list[str]) -> list[FieldProblem]:
    """Every problem of a query for ``indicator`` in ``period`` broken down ``by``."""
    problems = query_problems(period, indicator)
    dimensions = set(catalogue().code_lists) - {"region", "theme"}
    # One indicator asked by a dimension it does not have would be answered with no breakdown
    # at all, as if the breakdown were empty; across indicators, those that have it are broken down.
    item_of = None if indicator is None else catalogue().indicators.get(indicator)
    for index, item in enumerate(by):
        if item not in LEVELS and item not in dimensions:
            allowed = ", ".join(sorted({*LEVELS, *dimensions}))
            problems.append(FieldProblem(f"by[{index}]", f"{item!r} is not one of {allowed}"))
        elif item in dimensions and item_of is not None and item not in item_of.dimensions:
            problems.append(FieldProblem(f"by[{index}]", f"{indicator} has no dimension {item!r}"))
    if sum(1 for item in by if item in LEVELS) > 1:
        problems.append(FieldProblem("by", "ask for one level at most (region, theme or cluster)"))
    return problems


def check_query(period: str, indicator: str | None, by: list[str]) -> tuple[str | None, list[str]]:
    """The level and dimensions ``by`` asks for; a 422 lists every bad parameter."""
    problems = query_problems_by(period, indicator, by)
    if problems:
        raise InvalidInput(problems)
    levels = [item for item in by if item in LEVELS]
    return (levels[0] if levels else None), [item for item in by if item not in LEVELS]


def as_cell(row: Any) -> dict[str, Any]:
    """A stored cell (or a row with its columns) as the API shows it."""
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
    """Totals, plus the breakdowns by exactly one of the asked dimensions: a key naming a
    second one (``category=SME,funder=ANR``) starts like a one-dimension key but is not one."""
    single = AggregateCell.dims_key.not_like("%,%")
    return or_(
        AggregateCell.dims_key == "",
        *(and_(AggregateCell.dims_key.like(f"{name}=%"), single) for name in dimensions),
    )


# Where a page ends: its last cell's indicator, 0 for a national cell or 1 for one of the
# level asked for, area and dims_key.
Position = tuple[str, int, str, str]


def list_cells(
    session: Session, *, period: str, indicator: str | None, by: list[str], limit: int, after: Position | None
) -> tuple[list[dict[str, Any]], Position | None]:
    """One page of the national cells (always) and the breakdowns ``by`` asks for, past
    ``after``; with the position of its last cell when more follow.

    Pages are cut from one order, by indicator, national cells first, then area and
    dims_key, the empty totals of unreported indicators included, so that a page never holds
    more than ``limit`` cells. Each page starts where the last ended rather than at an
    offset, so that a page deep inside a period's cells costs what the first one does."""
    level, dimensions = check_query(period, indicator, by)
    codes = _period_indicators(period, indicator)
    if level != "cluster":
        return _page(_cells(session, period, codes, level, dimensions, after, limit + 1), limit)
    # A period's cluster cells run to a hundred thousand at scale: rather than sorting them
    # all for each page, each indicator's are read in the lookup index's order, the
    # indicators in the catalogue's, until the page is full.
    rows: list[Any] = []
    for code in codes:
        if after is not None and code < after[0]:
            continue
        mine = after if after is not None and code == after[0] else None
        if mine is None or mine[1] == 0:
            rows += _cells(session, period, [code], None, dimensions, mine, limit + 1 - len(rows))
        if len(rows) <= limit:
            start = mine[2:] if mine is not None and mine[1] == 1 else None
            rows += _cluster_cells(session, period, code, dimensions, start, limit + 1 - len(rows))
        if len(rows) > limit:
            break
    return _page(rows, limit)


def _page(rows: list[Any], limit: int) -> tuple[list[dict[str, Any]], Position | None]:
    """The first ``limit`` of ``rows`` as cells, and where they end if more follow."""
    if len(rows) <= limit:
        return [as_cell(row) for row in rows], None
    last = rows[limit - 1]
    return [as_cell(row) for row in rows[:limit]], (last.indicator_code, last.rank, last.area, last.dims_key)


def _cluster_cells(
    session: Session, period: str, code: str, dimensions: list[str], start: tuple[str, str] | None, limit: int
) -> list[Any]:
    """Up to ``limit`` cluster cells of one indicator past ``start`` (area, dims_key)."""
    table = cast(Table, AggregateCell.__table__)
    query = select(table, literal(1).label("rank")).where(
        table.c.period == period,
        table.c.indicator_code == code,
        table.c.level == "cluster",
        _dims_condition(dimensions),
    )
    if start is not None:
        query = query.where(tuple_(table.c.area, table.c.dims_key) > tuple_(*start))
    return list(session.execute(query.order_by(table.c.area, table.c.dims_key).limit(limit)))


def _cells(
    session: Session,
    period: str,
    codes: list[str],
    level: str | None,
    dimensions: list[str],
    after: Position | None,
    limit: int,
) -> list[Any]:
    """Up to ``limit`` cells of ``codes`` past ``after``, in page order."""
    wanted = [and_(AggregateCell.level == "national", _dims_condition(dimensions))]
    if level is not None:
        wanted.append(and_(AggregateCell.level == level, _dims_condition(dimensions)))
    stored = select(
        AggregateCell.indicator_code,
        AggregateCell.period,
        AggregateCell.level,
        AggregateCell.area,
        AggregateCell.dims_key,
        AggregateCell.dimensions,
        AggregateCell.value,
        AggregateCell.contributors,
        AggregateCell.status,
        case((AggregateCell.level == "national", 0), else_=1).label("rank"),
    ).where(AggregateCell.period == period, or_(*wanted))
    stored = stored.where(AggregateCell.indicator_code.in_(codes))  # seeks the lookup index, each indicator
    empty = [empty_national(code, period) for code in _unreported(session, period, codes)]
    cells = (union_all(stored, *empty) if empty else stored).subquery()
    key = (cells.c.indicator_code, cells.c.rank, cells.c.area, cells.c.dims_key)
    query = select(cells).order_by(*key).limit(limit)
    if after is not None:
        query = query.where(tuple_(*key) > tuple_(*after))
    return list(session.execute(query))


def _period_indicators(period: str, indicator: str | None) -> list[str]:
    """The indicators asked for (one, or all) that are reported for periods like ``period``."""
    periodicity = checked_periodicity(period)
    return [
        code
        for code in ([indicator] if indicator else sorted(catalogue().indicators))
        if catalogue().indicators[code].periodicity == periodicity
    ]


def _unreported(session: Session, period: str, codes: list[str]) -> list[str]:
    """Those of ``codes`` without a national total for ``period``: nobody reported them."""
    present = session.scalars(
        select(AggregateCell.indicator_code).where(  # every column of the lookup index named: a seek
            AggregateCell.period == period,
            AggregateCell.indicator_code.in_(codes),
            AggregateCell.level == "national",
            AggregateCell.area == "FR",
            AggregateCell.dims_key == "",
        )
    )
    return sorted(set(codes) - set(present))


def empty_national_values(code: str, period: str) -> dict[str, Any]:
    """The national total of an indicator nobody reported: present, empty and hidden."""
    return {
        "indicator_code": code,
        "period": period,
        "level": "national",
        "area": "FR",
        "dims_key": "",
        "dimensions": {},
        "value": None,
        "contributors": 0,
        "status": "C",
    }


def empty_national(code: str, period: str) -> Any:
    """``empty_national_values`` as a row of the listing's union."""
    types = {"dimensions": AggregateCell.dimensions.type, "value": Float(), "contributors": Integer()}
    columns = [
        literal(value, types.get(name, String())).label(name)
        for name, value in empty_national_values(code, period).items()
    ]
    return select(*columns, literal(0, Integer).label("rank"))


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
