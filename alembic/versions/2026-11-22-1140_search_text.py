"""records.search_text for the PostgreSQL search fallback (pg_trgm)

Revision ID: 9c3d7e21f0aa
Revises: 5b1e0c9d2a47
Create Date: 2026-11-22 11:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c3d7e21f0aa"
down_revision: str | None = "5b1e0c9d2a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from app.records.service import search_text

    op.add_column("records", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    op.create_index(
        "ix_records_search_text", "records", ["search_text"], postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT r.id, r.title, r.summary, l.number, o.acronym, p.instrument FROM records r "
            "LEFT JOIN laws l ON l.id = r.id LEFT JOIN organizations o ON o.id = r.id "
            "LEFT JOIN policies p ON p.id = r.id"
        )
    ).mappings().all()
    for row in rows:
        bind.execute(
            sa.text("UPDATE records SET search_text = :t WHERE id = :id"),
            {"t": search_text(dict(row), ("number", "acronym", "instrument")), "id": row["id"]},
        )


def downgrade() -> None:
    op.drop_index("ix_records_search_text", table_name="records")
    op.drop_column("records", "search_text")
