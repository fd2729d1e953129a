"""member category counts per snapshot; aggregates without foreign keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 07:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every snapshot already stored gets its counts, as ingestion now writes them.
BACKFILL = """
INSERT INTO member_category_counts (submission_id, category, members)
SELECT m.submission_id, g.category, COUNT(*) FROM memberships m
JOIN organisations g ON g.id = m.organisation_id
GROUP BY m.submission_id, g.category
"""


def upgrade() -> None:
    op.create_table(
        "member_category_counts",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_member_category_counts_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("submission_id", "category", name=op.f("pk_member_category_counts")),
    )
    op.execute(BACKFILL)
    with op.batch_alter_table("aggregates", schema=None) as batch_op:
        batch_op.drop_constraint("fk_aggregates_indicator_code_indicators", type_="foreignkey")
        batch_op.drop_constraint("fk_aggregates_run_id_job_runs", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("aggregates", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_aggregates_run_id_job_runs", "job_runs", ["run_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_aggregates_indicator_code_indicators", "indicators", ["indicator_code"], ["code"]
        )
    op.drop_table("member_category_counts")
