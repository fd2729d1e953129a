"""member category counts by the category each list gave; relabelled memberships

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 05:00:00

An organisation's category in a period is now the one the most recent list of the period
gives, not the one the first list ever naming it gave: each snapshot's counts are by the
category its cluster gave, the memberships giving another category than the hub first saw
are flagged, and every period with member lists is marked dirty, so that the scheduler's
next run recomputes it (in full, the stored cells being of the older method).
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from hub.models.base import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAG_RELABELLED = """
UPDATE memberships SET relabelled = TRUE WHERE category <>
  (SELECT g.category FROM organisations g WHERE g.id = memberships.organisation_id)
"""
BY_LISTED_CATEGORY = """
INSERT INTO member_category_counts (submission_id, category, members)
SELECT m.submission_id, m.category, COUNT(*) FROM memberships m GROUP BY m.submission_id, m.category
"""
BY_FIRST_CATEGORY = """
INSERT INTO member_category_counts (submission_id, category, members)
SELECT m.submission_id, g.category, COUNT(*) FROM memberships m
JOIN organisations g ON g.id = m.organisation_id
GROUP BY m.submission_id, g.category
"""
MARK_LISTED_PERIODS = sa.text(
    "INSERT INTO dirty_periods (period, cluster_code, marked_at)"
    " SELECT DISTINCT l.period, l.cluster_code, :now FROM member_lists l"
    " WHERE NOT EXISTS (SELECT 1 FROM dirty_periods d"
    " WHERE d.period = l.period AND d.cluster_code = l.cluster_code)"
).bindparams(sa.bindparam("now", type_=UTCDateTime()))


def _recount(statement: str) -> None:
    op.execute("DELETE FROM member_category_counts")
    op.execute(statement)
    op.get_bind().execute(MARK_LISTED_PERIODS, {"now": datetime.now(UTC)})


def upgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relabelled", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(
            "ix_memberships_relabelled",
            ["submission_id", "organisation_id"],
            unique=False,
            sqlite_where=sa.text("relabelled"),
            postgresql_where=sa.text("relabelled"),
        )
    op.execute(FLAG_RELABELLED)
    _recount(BY_LISTED_CATEGORY)


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_relabelled", sqlite_where=sa.text("relabelled"))
        batch_op.drop_column("relabelled")
    _recount(BY_FIRST_CATEGORY)
