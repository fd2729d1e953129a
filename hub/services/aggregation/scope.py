"""Which cells a run recomputes: all of a period's, or only those dirty clusters can change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.sql.elements import TextClause

LEVEL_COLUMNS = {"region": "region", "theme": "theme", "cluster": "cluster"}


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
        """A condition on ``aggregates`` rows selecting the cells this scope recomputes."""
        if self.full:
            return "1 = 1"
        parts = ["level = 'national'"] + [
            f"(level = '{level}' AND area IN :scope_{level})" for level in ("region", "theme", "cluster")
        ]
        return "(" + " OR ".join(parts) + ")"

    def bind(self, statement: TextClause, params: dict[str, Any]) -> TextClause:
        """Bind the scope's area lists (as expanding IN parameters) used by ``statement``."""
        for level in ("region", "theme", "cluster"):
            areas = self.areas(level)
            name = f"scope_{level}"
            if areas is not None and f":{name}" in statement.text:
                statement = statement.bindparams(bindparam(name, expanding=True))
                params[name] = sorted(areas)
        return statement


FULL = Scope()
