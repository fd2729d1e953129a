"""What the cell statements share: the write into ``aggregates``, the dimensions as JSON, binding."""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, text
from sqlalchemy.orm import Session

from hub.models.base import UTCDateTime
from hub.services import disclosure
from hub.services.aggregation.scope import Scope
from schemas.reference import catalogue

COLUMNS = (
    "run_id, period, indicator_code, level, area, dims_key, dimensions, value, contributors,"
    " max_contribution, status, computed_at"
)
# A run rewrites the cells a period already has in place (every column but the id and the
# figure's key, so that ``hub aggregate --full`` repairs whatever a cell holds), and inserts
# only the new ones: the lookup index's entries stay as they are, where deleting and inserting
# every cell rewrote them all (measured at scale 50: that index upkeep cost a third of a run).
# The cells of the run's scope that it did not write are gone, and the run deletes them at its end.
# An upsert seeks each cell in the lookup index, in the index's order. The statement opens with
# INSERT (its WITH inside) so that SQLite's driver counts the rows; WHERE true keeps SQLite
# from reading ON CONFLICT as a join's ON. A cell the run has already written is a second cell
# for one figure: PostgreSQL refuses to update a row twice in one statement, and on SQLite the
# NULL put in a NOT NULL column fails the run just the same, rather than keep either figure.
UPSERT = (
    f"INSERT INTO aggregates ({COLUMNS}) WITH {{cte}}"
    " SELECT :run_id, :period, indicator, level, area, dims_key, {dimensions}, value, contributors,"
    " max_contribution, {status}, :now FROM cells WHERE true ORDER BY indicator, level, area, dims_key"
    " ON CONFLICT (period, indicator_code, level, area, dims_key) DO UPDATE SET run_id = excluded.run_id,"
    " dimensions = excluded.dimensions, value = excluded.value,"
    " contributors = CASE WHEN aggregates.run_id = excluded.run_id THEN NULL ELSE excluded.contributors END,"
    " max_contribution = excluded.max_contribution, status = excluded.status,"
    " computed_at = excluded.computed_at"
)
# Every cell of a period's indicators at once, on PostgreSQL: one join of the cells with the
# stored cells of those indicators (half as long as seeking each at scale 50), read by index.
# The table's fillfactor leaves room on each page for a cell's new version, which then needs no
# new index entry (a HOT update).
MERGE = (
    "WITH {cte} MERGE INTO aggregates a USING (SELECT indicator, level, area, dims_key,"
    " {dimensions} AS dimensions, value, contributors, max_contribution, {status} AS status FROM cells) c"
    " ON a.period = :period AND a.indicator_code IN :merged_indicators AND a.indicator_code = c.indicator"
    " AND a.level = c.level AND a.area = c.area AND a.dims_key = c.dims_key"
    " WHEN MATCHED THEN UPDATE SET run_id = :run_id, dimensions = c.dimensions, value = c.value,"
    " contributors = c.contributors,"
    " max_contribution = c.max_contribution, status = c.status, computed_at = :now"
    f" WHEN NOT MATCHED THEN INSERT ({COLUMNS}) VALUES (:run_id, :period, c.indicator, c.level, c.area,"
    " c.dims_key, c.dimensions, c.value, c.contributors, c.max_contribution, c.status, :now)"
)


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


def write_cells(
    session: Session,
    cte: str,
    *,
    scope: Scope,
    run_id: int,
    period: str,
    now: datetime,
    settings: disclosure.Settings,
    every: Collection[str] = (),
    **params: Any,
) -> int:
    """Write the ``cells`` of ``WITH <cte>`` over the period's stored ones; returns how many.
    ``every``: the indicators whose cells these are all of (a full run's), if they are."""
    dialect = session.get_bind().dialect.name
    merged = bool(every) and dialect == "postgresql"
    sql = (MERGE if merged else UPSERT).format(
        cte=cte, dimensions=dimensions_sql(dialect), status=disclosure.PRIMARY_STATUS_SQL
    )
    statement = text(sql).bindparams(bindparam("now", type_=UTCDateTime()))
    if merged:
        statement = statement.bindparams(bindparam("merged_indicators", expanding=True))
        params["merged_indicators"] = sorted(every)
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
