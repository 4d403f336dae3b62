"""Program participants become participants of any record (a program's donors, an event's
organizers, a publication's publishers): the table keeps its rows, renamed, and refers to
`records` instead of `programs`.

Revision ID: 5b2e8c4d7a10
Revises: 3f8a6d2c1b70
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "5b2e8c4d7a10"
down_revision: str | None = "3f8a6d2c1b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.rename_table("program_participants", "participants")
    op.alter_column("participants", "program_id", new_column_name="record_id")
    op.drop_constraint("fk_program_participants_program_id_programs", "participants", type_="foreignkey")
    op.drop_constraint(
        "fk_program_participants_organization_id_organizations", "participants", type_="foreignkey"
    )
    op.create_foreign_key(
        "fk_participants_record_id_records", "participants", "records", ["record_id"], ["id"], ondelete="CASCADE"
    )
    op.create_foreign_key(
        "fk_participants_organization_id_organizations",
        "participants",
        "organizations",
        ["organization_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.execute("ALTER TABLE participants RENAME CONSTRAINT pk_program_participants TO pk_participants")
    op.execute("ALTER INDEX ix_program_participants_program_id RENAME TO ix_participants_record_id")
    op.execute("ALTER INDEX ix_program_participants_organization_id RENAME TO ix_participants_organization_id")
    op.execute("ALTER SEQUENCE program_participants_id_seq RENAME TO participants_id_seq")


def downgrade() -> None:
    op.execute("ALTER SEQUENCE participants_id_seq RENAME TO program_participants_id_seq")
    op.execute("ALTER INDEX ix_participants_organization_id RENAME TO ix_program_participants_organization_id")
    op.execute("ALTER INDEX ix_participants_record_id RENAME TO ix_program_participants_program_id")
    op.execute("ALTER TABLE participants RENAME CONSTRAINT pk_participants TO pk_program_participants")
    op.drop_constraint("fk_participants_organization_id_organizations", "participants", type_="foreignkey")
    op.drop_constraint("fk_participants_record_id_records", "participants", type_="foreignkey")
    op.execute("DELETE FROM participants p WHERE NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = p.record_id)")
    op.alter_column("participants", "record_id", new_column_name="program_id")
    op.rename_table("participants", "program_participants")
    op.create_foreign_key(
        "fk_program_participants_program_id_programs",
        "program_participants",
        "programs",
        ["program_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_program_participants_organization_id_organizations",
        "program_participants",
        "organizations",
        ["organization_id"],
        ["id"],
        ondelete="SET NULL",
    )
