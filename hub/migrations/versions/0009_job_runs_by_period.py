"""job runs are indexed by period and kind

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 23:30:00

At each pass the scheduler reads the latest aggregation runs of every dirty period, to hold
back a period whose runs keep failing; without this index it read every run ever recorded.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_job_runs_period", "job_runs", ["period", "kind", "id"])


def downgrade() -> None:
    op.drop_index("ix_job_runs_period", table_name="job_runs")
