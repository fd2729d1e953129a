"""Submissions (raw payload kept) and the revisioned observations they produce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key"),
        Index("ix_submissions_cluster_period", "cluster_code", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_code: Mapped[str] = mapped_column(ForeignKey("clusters.code"))
    period: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    source: Mapped[str] = mapped_column(String(32), default="push")
    client_id: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id"))
    content_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Observation(Base):
    """One revision of one value; the newest revision of a series is flagged current."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("cluster_code", "period", "indicator_code", "dims_key", "revision"),
        Index(
            "uq_observations_current",
            "cluster_code",
            "period",
            "indicator_code",
            "dims_key",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_observations_period_indicator", "period", "indicator_code", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_code: Mapped[str] = mapped_column(ForeignKey("clusters.code"))
    period: Mapped[str] = mapped_column(String(10))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    # Canonical "funder=ANR" ("" for the total): one comparable key for the dimensions.
    dims_key: Mapped[str] = mapped_column(String(200), default="")
    dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    value: Mapped[float]
    revision: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DirtyPeriod(Base):
    """A period whose data changed since its aggregates were last computed."""

    __tablename__ = "dirty_periods"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    cluster_code: Mapped[str] = mapped_column(ForeignKey("clusters.code"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
