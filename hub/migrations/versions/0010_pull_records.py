"""connector validators name the request they answer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:00:00

A connector kept one ETag and Last-Modified whatever period it pulled, and sent a period's
validators with another period's request: a feed whose answers share an ETag (a static file
holding every period) answered 304, and the other period was never stored. The validators now
name the request they answer (its URL, period included); those stored so far name none, so
each connector's next pull is unconditional.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connector_configs") as batch:
        batch.add_column(sa.Column("validators_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connector_configs") as batch:
        batch.drop_column("validators_url")
