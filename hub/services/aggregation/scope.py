"""Which cells a run recomputes: all of a period's, or only those dirty clusters can change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.sql.elements import TextClause

from schemas.reference import catalogue


@dataclass(frozen=True)
class Scope:
    """The areas touched by a set of clusters; ``None`` fields mean every area of the level."""

    clusters: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    themes: frozenset[str] | None = None

    @property
    def full(self) -> bool:
        return self.clusters is None

    def areas(self, level: str) -> frozenset[str] | None:
        return {"cluster": self.clusters, "region": self.regions, "theme": self.themes}.get(level)

    def where(self, level: str, column: str) -> str:
        """A SQL condition keeping the rows of ``level`` inside the scope ("" when unrestricted)."""
        return "" if self.areas(level) is None else f" AND {column} IN :scope_{level}"

    def cells_condition(self) -> str:
        """A condition on ``aggregates`` rows selecting the period's cells this scope recomputes.

        Each branch names the period, the indicators, the level and the areas, so that the
        database seeks them in the lookup index instead of reading every cell of the period."""
        if self.full:
            return "period = :period"
        parts = ["level = 'national'"] + [
            f"level = '{level}' AND area IN :scope_{level}" for level in ("region", "theme", "cluster")
        ]
        branch = "(period = :period AND indicator_code IN :scope_indicators AND {})"
        return "(" + " OR ".join(branch.format(part) for part in parts) + ")"

    def bind(self, statement: TextClause, params: dict[str, Any]) -> TextClause:
        """Bind the scope's area and indicator lists (as expanding IN parameters) used by ``statement``."""
        lists = {level: self.areas(level) for level in ("region", "theme", "cluster")}
        lists["indicators"] = None if self.full else frozenset(catalogue().indicators)
        for kind, values in lists.items():
            name = f"scope_{kind}"
            if values is not None and f":{name}" in statement.text:
                statement = statement.bindparams(bindparam(name, expanding=True))
                params[name] = sorted(values)
        return statement


FULL = Scope()
