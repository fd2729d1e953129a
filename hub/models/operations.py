"""Operational records: job runs, connector configuration, pull archives, audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, utcnow

RUN_STATUSES = ("queued", "running", "succeeded", "unchanged", "failed", "abandoned")
# A feed's validators may be longer: one that does not fit is not kept (the pull is then a full one).
VALIDATOR_LENGTHS = {"etag": 500, "last_modified": 100}


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_status", "status", "created_at"),
        Index("ix_job_runs_period", "period", "kind", "id"),  # a period's latest aggregation runs
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    cluster_code: Mapped[str | None] = mapped_column(ForeignKey("clusters.code"), index=True)
    period: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    trigger: Mapped[str] = mapped_column(String(16), default="api")
    requested_by: Mapped[str | None] = mapped_column(String(100))
    pages: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warnings: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    error: Mapped[str | None] = mapped_column(Text)
    submission_id: Mapped[int | None]
    replay_of: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id"))
    # Whether the archived pages are the whole feed (False: the fetch failed on the next one);
    # None for a run that archived nothing, and for those recorded before it was.
    fetch_complete: Mapped[bool | None]
    runner: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]


class ConnectorConfig(Base):
    __tablename__ = "connector_configs"

    cluster_code: Mapped[str] = mapped_column(ForeignKey("clusters.code"), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    enabled: Mapped[bool] = mapped_column(default=True)
    schedule: Mapped[str | None] = mapped_column(String(100))
    auth_type: Mapped[str] = mapped_column(String(16), default="none")
    # Fernet token of the JSON auth object; never returned, never logged.
    auth_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    etag: Mapped[str | None] = mapped_column(String(VALIDATOR_LENGTHS["etag"]))
    last_modified: Mapped[str | None] = mapped_column(String(VALIDATOR_LENGTHS["last_modified"]))
    # The request the validators answer (``Source.validators_url``): a URL a feed may make long.
    validators_url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PullArchive(Base):
    """Raw bytes of one fetched page, stored before any mapping so a pull can be replayed."""

    __tablename__ = "pull_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("job_runs.id"), index=True)
    page: Mapped[int]
    # Text: a next link (a cursor in it) and a content type are as long as a feed makes them.
    url: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    cluster_code: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SchedulerLease(Base):
    """The lock that lets only one scheduler be active; a stale lease is taken over."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
