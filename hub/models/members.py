"""Member organisations and their memberships, kept per submitted snapshot.

An organisation is one row nationally however many clusters list it (co-membership);
a membership row records what one cluster said about it in one member-list snapshot.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "siren:732829320" or "DE:HRB12345": one key for French and foreign members alike.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    siren: Mapped[str | None] = mapped_column(String(9))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    foreign_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    # As the first list naming it gave them. Figures take a period's category from that
    # period's lists (the memberships), never from here.
    category: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(10))


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        Index("ix_memberships_snapshot", "submission_id", "organisation_id"),
        # Each organisation's listings of a period in turn (with the category each gives, on
        # PostgreSQL): a run finds the organisations listed more than once by reading this index
        # in its order, where grouping a million memberships otherwise means sorting them.
        Index(
            "ix_memberships_organisation",
            "period",
            "organisation_id",
            "submission_id",
            postgresql_include=["category"],
        ),
        # The few memberships whose cluster gives another category than the hub first saw: a
        # run finds the organisations whose category may differ between lists through these.
        Index(
            "ix_memberships_relabelled",
            "submission_id",
            "organisation_id",
            sqlite_where=text("relabelled"),
            postgresql_where=text("relabelled"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    cluster_code: Mapped[str] = mapped_column(ForeignKey("clusters.code"))
    period: Mapped[str] = mapped_column(String(10))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(10))
    joined_on: Mapped[date | None]
    # The category differs from the organisation's, as the first list naming it gave it.
    relabelled: Mapped[bool] = mapped_column(default=False, server_default=false())


class MemberList(Base):
    """Which snapshot is the current member list of a cluster for a period."""

    __tablename__ = "member_lists"

    cluster_code: Mapped[str] = mapped_column(ForeignKey("clusters.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    member_count: Mapped[int] = mapped_column(default=0)


class MemberCategoryCount(Base):
    """How many organisations of each category one member-list snapshot lists, by the
    category the cluster gave: written with the snapshot, so that aggregation sums a few rows
    per cluster instead of re-reading every membership."""

    __tablename__ = "member_category_counts"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    members: Mapped[int]
