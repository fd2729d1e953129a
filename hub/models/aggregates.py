"""Computed aggregate cells and the completeness of each indicator and period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class AggregateCell(Base):
    """One computed figure. Derived data, recomputed by every run: no foreign keys,
    whose per-row checks on PostgreSQL cost more than computing the cells (the engine writes
    only catalogue indicators and its own run ids)."""

    __tablename__ = "aggregates"
    # One cell per figure: a run that would store a second one fails rather than publish it twice.
    # A run updates the cells in place; on PostgreSQL, half of each page stays free for their
    # new versions, which then need no new index entries (see migration 0007).
    __table_args__ = (
        Index("ix_aggregates_lookup", "period", "indicator_code", "level", "area", "dims_key", unique=True),
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None]
    period: Mapped[str] = mapped_column(String(10))
    indicator_code: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(64))
    dims_key: Mapped[str] = mapped_column(String(200), default="")
    dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    value: Mapped[float | None]
    contributors: Mapped[int] = mapped_column(default=0)
    max_contribution: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(1), default="A")
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Completeness(Base):
    __tablename__ = "completeness"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id"))
    expected: Mapped[int]
    reported: Mapped[int]
    missing: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
