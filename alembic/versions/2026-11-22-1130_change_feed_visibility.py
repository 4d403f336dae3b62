"""change feed: visibility before each change

Revision ID: 5b1e0c9d2a47
Revises: f4154ab413c9
Create Date: 2026-11-22 11:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e0c9d2a47"
down_revision: str | None = "f4154ab413c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "changes", sa.Column("public_before", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.create_index("ix_changes_public_seq", "changes", ["seq"], postgresql_where=sa.text("public OR public_before"))


def downgrade() -> None:
    op.drop_index("ix_changes_public_seq", table_name="changes")
    op.drop_column("changes", "public_before")
