"""The cluster registry and the indicator catalogue, as loaded by ``hub init``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class Cluster(Base):
    __tablename__ = "clusters"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(10), index=True)
    theme: Mapped[str] = mapped_column(String(32), index=True)
    themes: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    active_from: Mapped[date | None]
    active_to: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Indicator(Base):
    __tablename__ = "indicators"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32))
    periodicity: Mapped[str] = mapped_column(String(16))
    aggregation: Mapped[str] = mapped_column(String(32))
    weight: Mapped[str | None] = mapped_column(String(64))
    dimensions: Mapped[list[Any]] = mapped_column(default=list)
    value_type: Mapped[str] = mapped_column(String(16))
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    derived: Mapped[bool] = mapped_column(default=False)
