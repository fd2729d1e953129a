"""memberships are indexed by period, organisation and snapshot (and category, on PostgreSQL)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:00:00

An aggregation run finds the organisations listed more than once by reading their listings
of the period in this index's order, rather than sorting every membership of the period. The
index on the organisation alone, which it replaces, served the same lookups, all of them
within one period.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_memberships_organisation",
        "memberships",
        ["period", "organisation_id", "submission_id"],
        postgresql_include=["category"],
    )
    op.drop_index("ix_memberships_organisation_id", table_name="memberships")


def downgrade() -> None:
    op.create_index("ix_memberships_organisation_id", "memberships", ["organisation_id"])
    op.drop_index("ix_memberships_organisation", table_name="memberships")
