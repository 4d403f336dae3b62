"""Indicators: a record kind (a table joined to `records`), the sources figures are read from and
the observations. Nothing existing changes.

Revision ID: 7a1c4e9b2d58
Revises: 3b7c9e2d4f16
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op
from app.core.reference import DEFAULT_TOPICS

revision: str = "7a1c4e9b2d58"
down_revision: str | None = "3b7c9e2d4f16"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The topic the figures added to the vocabulary (app/core/reference.py): a base migrated before
# has the others only. (The initial migration of a new base inserts it with the rest.)
GOVERNANCE = dict(DEFAULT_TOPICS)["migration-governance"]


def upgrade() -> None:
    topics = sa.table(
        "topics",
        sa.column("slug", sa.String),
        sa.column("labels", postgresql.JSONB),
        sa.column("position", sa.Integer),
    )
    op.execute(
        postgresql.insert(topics)
        .from_select(
            ["slug", "labels", "position"],
            sa.select(
                sa.literal("migration-governance"),
                sa.cast(sa.literal(GOVERNANCE, postgresql.JSONB), postgresql.JSONB),
                sa.func.coalesce(sa.func.max(topics.c.position), -1) + 1,
            ),
        )
        .on_conflict_do_nothing(index_elements=["slug"])
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"], ["records.id"], name=op.f("fk_indicators_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
    )
    op.create_index(op.f("ix_indicators_code"), "indicators", ["code"], unique=False)
    op.create_table(
        "indicator_sources",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("vintage", sa.String(length=32), nullable=True),
        sa.Column("via", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "key ~ '^[a-z0-9][a-z0-9._-]{0,119}$'", name=op.f("ck_indicator_sources_key_format")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_indicator_sources_key")),
    )
    op.create_table(
        "indicator_observations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("region", postgresql.ARRAY(sa.String(length=2)), server_default="{}", nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column(
            "disaggregation",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("period_start <= period_end", name=op.f("ck_indicator_observations_period_order")),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["records.id"],
            name=op.f("fk_indicator_observations_indicator_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["indicator_sources.id"],
            name=op.f("fk_indicator_observations_source_id_indicator_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_observations")),
        sa.UniqueConstraint(
            "indicator_id",
            "country",
            "period_start",
            "period",
            "disaggregation",
            "source_id",
            name="uq_indicator_observations_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("indicator_observations")
    op.drop_table("indicator_sources")
    op.execute("DELETE FROM records WHERE kind = 'indicator'")
    op.drop_table("indicators")
    op.execute("DELETE FROM topics WHERE slug = 'migration-governance'")
