"""records' long text columns compressed with lz4 instead of pglz

PostgreSQL compresses a value once its row passes about 2 kB: the records' `summary` of most
imported records (1,420 bytes of JSON on average for bench/generate.py's records, 83% of them
compressed). pglz took about 6% of the PostgreSQL backend's CPU in an import of 20,000
records (perf); lz4 compresses several times faster and decompresses faster for every read.
Values already written keep their method (each value records its own); only new writes change.
Skipped where the server was built without lz4 (its `default_toast_compression` does not offer it).

Revision ID: 9c4f2a7e1b63
Revises: 5d1e7a9c3b20
Create Date: 2026-12-07 05:40:00
"""

from alembic import op

revision = "9c4f2a7e1b63"
down_revision = "5d1e7a9c3b20"
branch_labels = None
depends_on = None

COLUMNS = ("title", "summary", "search_text")


def _set(method: str) -> None:
    columns = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in COLUMNS)
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
        f" AND 'lz4' = ANY(enumvals)) THEN ALTER TABLE records {columns}; END IF; END $$"
    )


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
