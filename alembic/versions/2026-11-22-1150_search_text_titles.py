"""search_text: titles and codes only (summaries made the trigram index too heavy)

Revision ID: 2f6a8b1c4d90
Revises: 9c3d7e21f0aa
Create Date: 2026-11-22 11:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2f6a8b1c4d90"
down_revision: str | None = "9c3d7e21f0aa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from app.records.service import search_text

    bind = op.get_bind()
    rows = (
        bind.execute(
            sa.text(
                "SELECT r.id, r.title, l.number, o.acronym, p.instrument FROM records r "
                "LEFT JOIN laws l ON l.id = r.id LEFT JOIN organizations o ON o.id = r.id "
                "LEFT JOIN policies p ON p.id = r.id"
            )
        )
        .mappings()
        .all()
    )
    for row in rows:
        bind.execute(
            sa.text("UPDATE records SET search_text = :t WHERE id = :id"), {"t": search_text(dict(row), ("number", "acronym", "instrument")), "id": row["id"]}
        )


def downgrade() -> None:
    pass  # the longer text is recomputed by the next write of each record
