"""Vector backlog claims: a worker marks the rows it embeds, so two never embed the same ones.

Revision ID: 3f6a2c8d9b14
Revises: 5e8b1d3a7c20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3f6a2c8d9b14"
down_revision: str | None = "5e8b1d3a7c20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("vector_backlog", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("vector_backlog", "claimed_until")
