"""Webhook subscriptions follow a search: `query` holds its words (`q` in the API).

Revision ID: 5d1e7a9c3b20
Revises: 7a1c4e9b2d58
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5d1e7a9c3b20"
down_revision = "7a1c4e9b2d58"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhooks", sa.Column("query", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("webhooks", "query")
