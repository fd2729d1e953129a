"""pull records: validators name their request, runs whether they fetched it all, archives any URL

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:00:00

A connector kept one ETag and Last-Modified whatever period it pulled, and sent a period's
validators with another period's request: a feed whose answers share an ETag (a static file
holding every period) answered 304, and the other period was never stored. The validators now
name the request they answer (its URL, period included); those stored so far name none, so
each connector's next pull is unconditional.

A replay of a run whose fetch failed half-way stored the pages fetched before the fault as the
whole feed: a run now records whether its archive is complete (unknown for the runs before).

A page's URL and content type are as long as the feed makes them (a next link with a long
cursor failed every pull on PostgreSQL): they are text.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("fetch_complete", sa.Boolean(), nullable=True))
    with op.batch_alter_table("connector_configs") as batch:
        batch.add_column(sa.Column("validators_url", sa.Text(), nullable=True))
    with op.batch_alter_table("pull_archives") as batch:
        batch.alter_column("url", type_=sa.Text(), existing_type=sa.String(2000), existing_nullable=False)
        batch.alter_column(
            "content_type", type_=sa.Text(), existing_type=sa.String(200), existing_nullable=True
        )


def downgrade() -> None:
    """On PostgreSQL, an archive whose URL or content type no longer fits fails the downgrade."""
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("fetch_complete")
    with op.batch_alter_table("pull_archives") as batch:
        batch.alter_column("url", type_=sa.String(2000), existing_type=sa.Text(), existing_nullable=False)
        batch.alter_column(
            "content_type", type_=sa.String(200), existing_type=sa.Text(), existing_nullable=True
        )
    with op.batch_alter_table("connector_configs") as batch:
        batch.drop_column("validators_url")
