"""Webhooks: subscriptions, their delivery log, and the trigger that wakes their delivery jobs when
changes are written.

Revision ID: 5e8b1d3a7c20
Revises: 9a3d6f1c8e42
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "5e8b1d3a7c20"
down_revision: str | None = "9a3d6f1c8e42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# After each statement that writes changes: a delivery job for every enabled subscription that has
# none waiting (one waiting job per subscription: its queueing lock; one running: its lock).
WAKE = """
CREATE FUNCTION migrantkb_wake_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hook uuid;
BEGIN
    FOR hook IN SELECT id FROM webhooks WHERE enabled LOOP
        CONTINUE WHEN EXISTS (
            SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = 'webhook:' || hook AND status = 'todo'
        );
        BEGIN
            PERFORM procrastinate_defer_jobs_v1(ARRAY[ROW(
                'webhooks', 'deliver_webhook', 0, 'webhook:' || hook, 'webhook:' || hook,
                jsonb_build_object('webhook_id', hook::text), NULL
            )::procrastinate_job_to_defer_v1]);
        EXCEPTION WHEN unique_violation THEN
            NULL;  -- another transaction queued it meanwhile
        END;
    END LOOP;
    RETURN NULL;
END
$$
"""
TRIGGER = """
CREATE TRIGGER changes_wake_webhooks AFTER INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION migrantkb_wake_webhooks()
"""


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("actions", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("countries", postgresql.ARRAY(sa.String(length=2)), nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.String(length=80)), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_keys.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhooks_key_id", "webhooks", ["key_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("webhook_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(length=80), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_deliveries_webhook_id", "webhook_deliveries", ["webhook_id", "id"])
    op.execute(WAKE)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS changes_wake_webhooks ON changes")
    op.execute("DROP FUNCTION IF EXISTS migrantkb_wake_webhooks()")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
