"""connector validators cleared: a feed of several pages keeps none

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 05:40:00

A pull used to keep the first page's ETag and Last-Modified even when the feed had more pages,
and the next pull then took a 304 on the first page for "nothing changed", missing a change on
a later page. Pulls now keep validators of one-page feeds only; the ones stored so far may
belong to a feed of several pages, so each connector's next pull is unconditional.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE connector_configs SET etag = NULL, last_modified = NULL")


def downgrade() -> None:
    """Nothing to restore: a pull without validators is only a full fetch."""
