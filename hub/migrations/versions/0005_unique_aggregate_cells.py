"""aggregate cells unique per period, indicator, level, area and breakdown

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:00:00

A run rewrites a period's cells under the period's lock, so no two cells should ever answer
for the same figure; the lookup index now says so, and a run that would store a second one
fails (and is recorded as failed) instead of publishing a figure twice.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["period", "indicator_code", "level", "area", "dims_key"]


def upgrade() -> None:
    with op.batch_alter_table("aggregates", schema=None) as batch_op:
        batch_op.drop_index("ix_aggregates_lookup")
        batch_op.create_index("ix_aggregates_lookup", COLUMNS, unique=True)


def downgrade() -> None:
    with op.batch_alter_table("aggregates", schema=None) as batch_op:
        batch_op.drop_index("ix_aggregates_lookup")
        batch_op.create_index("ix_aggregates_lookup", COLUMNS, unique=False)
