"""A small federation written straight into the tables ingestion fills, for aggregation tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.models import (
    AggregateCell,
    Cluster,
    DirtyPeriod,
    MemberList,
    Membership,
    Observation,
    Organisation,
    Submission,
    utcnow,
)
from hub.services.snapshots import summarise_snapshots

_ids = itertools.count(1)


@dataclass
class Factory:
    session: Session
    organisations: dict[str, int] = field(default_factory=dict)

    def isolate(self) -> None:
        """Only the clusters this factory adds are expected to report."""
        self.session.execute(update(Cluster).values(active=False))

    def cluster(self, code: str, region: str = "FR-IDF", theme: str = "HEALTH") -> str:
        self.session.add(
            Cluster(code=code, name=code, region=region, theme=theme, themes=[theme], active=True)
        )
        self.session.flush()
        return code

    def organisation(self, key: str, category: str) -> int:
        if key not in self.organisations:
            row = Organisation(key=key, name=key, category=category, country="FR")
            self.session.add(row)
            self.session.flush()
            self.organisations[key] = row.id
        return self.organisations[key]

    def push(
        self,
        cluster: str,
        period: str,
        values: list[tuple[str, dict[str, str], float]] = (),  # type: ignore[assignment]
        members: list[tuple[str, str]] | None = None,
    ) -> Submission:
        """What an accepted submission leaves behind: new current revisions, a member-list
        snapshot when ``members`` is given, and the period marked dirty for the cluster."""
        submission = Submission(
            cluster_code=cluster,
            period=period,
            content_type="application/json",
            payload=b"{}",
            payload_sha256="0" * 64,
            idempotency_key=f"k{next(_ids)}",
        )
        self.session.add(submission)
        self.session.flush()
        for indicator, dimensions, value in values:
            self._observe(submission, indicator, dimensions, value)
        if members is not None:
            self._snapshot(submission, members)
        mark = self.session.get(DirtyPeriod, (period, cluster))
        if mark is None:
            self.session.add(DirtyPeriod(period=period, cluster_code=cluster, marked_at=utcnow()))
        else:
            mark.marked_at = utcnow()
        self.session.flush()
        return submission

    def _observe(
        self, submission: Submission, indicator: str, dimensions: dict[str, str], value: float
    ) -> None:
        key = ",".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))
        current = self.session.scalars(
            select(Observation).filter_by(
                cluster_code=submission.cluster_code,
                period=submission.period,
                indicator_code=indicator,
                dims_key=key,
                is_current=True,
            )
        ).one_or_none()
        revision = 1
        if current is not None:
            current.is_current, revision = False, current.revision + 1
            self.session.flush()
        self.session.add(
            Observation(
                cluster_code=submission.cluster_code,
                period=submission.period,
                indicator_code=indicator,
                dims_key=key,
                dimensions=dimensions,
                value=value,
                revision=revision,
                submission_id=submission.id,
            )
        )

    def _snapshot(self, submission: Submission, members: list[tuple[str, str]]) -> None:
        for key, category in members:
            self.session.add(
                Membership(
                    submission_id=submission.id,
                    cluster_code=submission.cluster_code,
                    period=submission.period,
                    organisation_id=self.organisation(key, category),
                    name=key,
                    category=category,
                )
            )
        self.session.flush()
        summarise_snapshots(self.session, [submission.id])
        listed = self.session.get(MemberList, (submission.cluster_code, submission.period))
        if listed is None:
            self.session.add(
                MemberList(
                    cluster_code=submission.cluster_code,
                    period=submission.period,
                    submission_id=submission.id,
                    member_count=len(members),
                )
            )
        else:
            listed.submission_id, listed.member_count = submission.id, len(members)


def cells(session: Session, period: str) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """The stored cells of a period by (indicator, level, area, dims_key); a cell stored twice
    fails here, where a dictionary would silently keep one of them."""
    rows = session.scalars(select(AggregateCell).where(AggregateCell.period == period)).all()
    found = {
        (row.indicator_code, row.level, row.area, row.dims_key): {
            "value": row.value,
            "contributors": row.contributors,
            "status": row.status,
            "max": row.max_contribution,
        }
        for row in rows
    }
    assert len(found) == len(rows), "a cell is stored more than once"
    return found
