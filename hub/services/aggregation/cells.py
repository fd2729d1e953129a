"""What the cell statements share: the insert into ``aggregates``, the dimensions as JSON, binding."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, text
from sqlalchemy.orm import Session

from hub.models.base import UTCDateTime
from hub.services import disclosure
from hub.services.aggregation.scope import Scope
from schemas.reference import catalogue

# The statement opens with INSERT (its WITH inside) so that SQLite's driver counts the rows.
INSERT_CELLS = (
    "INSERT INTO aggregates (run_id, period, indicator_code, level, area, dims_key, dimensions, value,"
    " contributors, max_contribution, status, computed_at) WITH {cte}"
    " SELECT :run_id, :period, indicator, level, area, dims_key, {dimensions}, value, contributors,"
    " max_contribution, {status}, :now FROM cells{order}"
)
# On SQLite, cells written in the lookup index's order halve the index's upkeep. PostgreSQL
# sorts text by the database's collation, without the shortcuts it takes under "C": measured
# at scale 50, the sort cost more than it saved.
ORDER = {"sqlite": " ORDER BY indicator, level, area, dims_key", "postgresql": ""}


def dimension_keys() -> dict[str, str]:
    """Every dims_key the catalogue allows, with its dimensions as JSON text."""
    cat = catalogue()
    keys = {"": "{}"}
    for indicator in cat.indicators.values():
        for size in range(1, len(indicator.dimensions) + 1):
            for names in itertools.combinations(sorted(indicator.dimensions), size):
                for codes in itertools.product(*(sorted(cat.code_lists[name]) for name in names)):
                    pairs = dict(zip(names, codes, strict=True))
                    keys[",".join(f"{n}={c}" for n, c in pairs.items())] = json.dumps(pairs)
    return keys


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@cache  # the catalogue is fixed for the life of the process
def dimensions_sql(dialect: str) -> str:
    """``dims_key`` turned into the JSON ``dimensions`` column inside the statement itself,
    so that no cell needs a second, per-row write."""
    whens = " ".join(f"WHEN {_quoted(key)} THEN {_quoted(value)}" for key, value in dimension_keys().items())
    expression = f"CASE dims_key {whens} ELSE '{{}}' END"
    # SQLite keeps JSON as text; a CAST to "JSON" would give it numeric affinity and zero it.
    return f"CAST({expression} AS JSON)" if dialect == "postgresql" else expression


def insert_cells(
    session: Session,
    cte: str,
    *,
    scope: Scope,
    run_id: int,
    period: str,
    now: datetime,
    settings: disclosure.Settings,
    **params: Any,
) -> int:
    """Run ``INSERT ... WITH <cte> SELECT FROM cells``; returns how many cells it wrote."""
    dialect = session.get_bind().dialect.name
    sql = INSERT_CELLS.format(
        cte=cte,
        dimensions=dimensions_sql(dialect),
        status=disclosure.PRIMARY_STATUS_SQL,
        order=ORDER[dialect],
    )
    statement = text(sql).bindparams(bindparam("now", type_=UTCDateTime()))
    values = {
        "run_id": run_id,
        "period": period,
        "now": now,
        "min_contributors": settings.min_contributors,
        "dominance": settings.dominance,
        **params,
    }
    statement = scope.bind(statement, values)
    return int(cast(CursorResult[Any], session.execute(statement, values)).rowcount)
