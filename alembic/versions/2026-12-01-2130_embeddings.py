"""embeddings cache and vector backlog for hybrid search

Revision ID: 9c1d5e7f2a40
Revises: 7e4b2c9a1f35
Create Date: 2026-12-01 21:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "9c1d5e7f2a40"
down_revision: str | None = "7e4b2c9a1f35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("vector", postgresql.ARRAY(sa.Float(precision=24)), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name="pk_embeddings"),
    )
    op.create_table(
        "vector_backlog",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_vector_backlog"),
    )


def downgrade() -> None:
    op.drop_table("vector_backlog")
    op.drop_table("embeddings")
