"""trigram indexes for the PostgreSQL search (used while Meilisearch is away)

Its matches are a UNION of records whose folded titles and codes (search_text) are close to the
words and records with an attachment page holding them: each half is read through its index here
instead of a scan of every record and every page (30 s for a common word over 72,000 records).
The page index is on the folded text, the expression app.search.fallback matches on.

Revision ID: 3b7c9e2d4f16
Revises: 5e8b1d3a7c20
Create Date: 2026-12-06 21:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "3b7c9e2d4f16"
down_revision: str | None = "3f6a2c8d9b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDED_TEXT = "translate(lower(text), 'қғңөүұәіһҳҷӣўӯё', 'кгнооууаиххчиууе')"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_records_search_text ON records USING gin (search_text gin_trgm_ops)")
    op.execute(
        "CREATE INDEX ix_attachment_pages_folded_text ON attachment_pages "
        f"USING gin (({FOLDED_TEXT}) gin_trgm_ops)"
    )


def downgrade() -> None:
    op.drop_index("ix_attachment_pages_folded_text", table_name="attachment_pages")
    op.drop_index("ix_records_search_text", table_name="records")
