"""Events and publications: two record kinds, each a table joined to `records` like the others.
Existing records, feed cursors and the search index are untouched (no existing row changes).

Revision ID: 8d4f1a6e2c30
Revises: 5b2e8c4d7a10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "8d4f1a6e2c30"
down_revision: str | None = "5b2e8c4d7a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATE = "~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'"


def _partial_date(table: str, column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} {_DATE}", name=op.f(f"ck_{table}_{column}_partial_date"))


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.String(length=10), nullable=True),
        sa.Column("ends_on", sa.String(length=10), nullable=True),
        sa.Column("place", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("audience", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("participants_count", sa.Integer(), nullable=True),
        sa.Column("outcomes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reform_activity", sa.Boolean(), nullable=False),
        _partial_date("events", "starts_on"),
        _partial_date("events", "ends_on"),
        sa.CheckConstraint("participants_count >= 0", name=op.f("ck_events_participants_count")),
        sa.ForeignKeyConstraint(["id"], ["records.id"], name=op.f("fk_events_id_records"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_starts_on"), "events", ["starts_on"], unique=False)
    op.create_table(
        "publications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pub_type", sa.String(length=32), nullable=False),
        sa.Column("published_on", sa.String(length=10), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.String(length=3)), nullable=False),
        sa.Column("authors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        _partial_date("publications", "published_on"),
        sa.ForeignKeyConstraint(
            ["id"], ["records.id"], name=op.f("fk_publications_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_index(op.f("ix_publications_published_on"), "publications", ["published_on"], unique=False)


def downgrade() -> None:
    # The records of both kinds go with their tables (their rows in `records` first).
    op.execute("DELETE FROM records WHERE kind IN ('event', 'publication')")
    op.drop_index(op.f("ix_publications_published_on"), table_name="publications")
    op.drop_table("publications")
    op.drop_index(op.f("ix_events_starts_on"), table_name="events")
    op.drop_table("events")
