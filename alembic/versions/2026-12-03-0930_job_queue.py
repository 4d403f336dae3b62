"""The background job queue: procrastinate's tables and functions (its schema for the version in
uv.lock), in the base's own database, so a job is deferred in the same transaction as the row it
works on. A later procrastinate release brings its own migration files; each becomes a revision here.

Revision ID: 4c7e2a9b5d11
Revises: 8d4f1a6e2c30
"""

from __future__ import annotations

from collections.abc import Sequence

from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_

from alembic import op

revision: str = "4c7e2a9b5d11"
down_revision: str | None = "8d4f1a6e2c30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Many statements in one: asyncpg runs them as one simple query (a prepared one takes one).
    await_(op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema()))


def downgrade() -> None:
    op.execute(
        """
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT tablename FROM pg_tables
                   WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
            EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
          END LOOP;
          FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                   JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
            EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.sig);
          END LOOP;
          FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                     AND t.typtype IN ('e', 'c') LOOP
            EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
          END LOOP;
        END $$;
        """
    )
