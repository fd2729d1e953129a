"""aggregate cells are rewritten in place: PostgreSQL pages keep room for the new versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:00:00

A run now updates a period's stored cells rather than deleting and inserting them all. On
PostgreSQL an update that finds room on the row's own page writes no index entry (a HOT
update); half of each page is left free for it. Pages written before keep their fill until
the table is next rewritten. SQLite has no such setting.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE aggregates SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE aggregates RESET (fillfactor)")
