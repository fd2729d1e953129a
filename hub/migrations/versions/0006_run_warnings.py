"""job runs keep the warnings of what they ingested

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:30:00

A pull's run showed the ingestion's counts but not its warnings, so a scheduled pull whose feed
answered a list cut short was "succeeded" with nothing to say so. Runs recorded before keep an
empty list: their submissions still hold the warnings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("warnings")
