"""initial schema

Revision ID: f4154ab413c9
Revises: 
Create Date: 2026-11-22 10:59:49.412177+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.core.reference import DEFAULT_TOPICS, country_names

# The content languages when this migration was written, frozen: a migration must not change with
# the code (app.core.i18n.LANGUAGES).
LANGUAGES = ("en", "ru", "ky", "kk", "uz", "tg", "tk")

revision: str = 'f4154ab413c9'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # pg_trgm and unaccent serve the PostgreSQL search fallback.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table('api_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role in ('editor', 'admin')", name=op.f('ck_api_keys_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('changes',
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('xid', sa.BigInteger(), server_default=sa.text('pg_current_xact_id()::text::bigint'), nullable=False),
    sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_changes'))
    )
    op.create_index(op.f('ix_changes_record_id'), 'changes', ['record_id'], unique=False)
    op.create_index('ix_changes_unindexed', 'changes', ['seq'], unique=False, postgresql_where=sa.text('indexed_at IS NULL'))
    op.create_table('countries',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('names', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_countries'))
    )
    op.create_table('records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('summary', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('original_language', sa.String(length=8), nullable=True),
    sa.Column('countries', postgresql.ARRAY(sa.String(length=2)), nullable=False),
    sa.Column('topics', postgresql.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('source_urls', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('identifiers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('last_verified_on', sa.String(length=10), nullable=True),
    sa.Column('translation_kinds', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('publication', sa.String(length=16), nullable=False),
    sa.Column('editorial', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("last_verified_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_records_last_verified_on_partial_date')),
    sa.CheckConstraint("publication in ('draft', 'published', 'archived')", name=op.f('ck_records_publication')),
    sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,118}$'", name=op.f('ck_records_slug_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records')),
    sa.UniqueConstraint('kind', 'slug', name='uq_records_kind_slug')
    )
    op.create_index('ix_records_countries', 'records', ['countries'], unique=False, postgresql_using='gin')
    op.create_index('ix_records_kind_updated', 'records', ['kind', 'updated_at'], unique=False)
    op.create_index('ix_records_topics', 'records', ['topics'], unique=False, postgresql_using='gin')
    op.create_table('topics',
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('labels', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_topics'))
    )
    op.create_table('laws',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instrument_type', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=200), nullable=True),
    sa.Column('issuing_body', sa.Text(), nullable=True),
    sa.Column('adopted_on', sa.String(length=10), nullable=True),
    sa.Column('in_force_on', sa.String(length=10), nullable=True),
    sa.Column('status_as_of', sa.String(length=10), nullable=True),
    sa.Column('official_publication', sa.Text(), nullable=True),
    sa.Column('ratifications', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.CheckConstraint("adopted_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_laws_adopted_on_partial_date')),
    sa.CheckConstraint("in_force_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_laws_in_force_on_partial_date')),
    sa.CheckConstraint("status_as_of ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_laws_status_as_of_partial_date')),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_laws_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_laws'))
    )
    op.create_index(op.f('ix_laws_adopted_on'), 'laws', ['adopted_on'], unique=False)
    op.create_table('organizations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('acronym', sa.String(length=64), nullable=True),
    sa.Column('org_type', sa.String(length=32), nullable=False),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('website', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('founded', sa.String(length=10), nullable=True),
    sa.Column('services', postgresql.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('languages', postgresql.ARRAY(sa.String(length=3)), nullable=False),
    sa.CheckConstraint("founded ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_organizations_founded_partial_date')),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_organizations_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations'))
    )
    op.create_table('policies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('policy_type', sa.String(length=32), nullable=False),
    sa.Column('issuing_body', sa.Text(), nullable=True),
    sa.Column('instrument', sa.Text(), nullable=True),
    sa.Column('adopted_on', sa.String(length=10), nullable=True),
    sa.Column('period_start', sa.String(length=10), nullable=True),
    sa.Column('period_end', sa.String(length=10), nullable=True),
    sa.CheckConstraint("adopted_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_policies_adopted_on_partial_date')),
    sa.CheckConstraint("period_end ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_policies_period_end_partial_date')),
    sa.CheckConstraint("period_start ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_policies_period_start_partial_date')),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_policies_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies'))
    )
    op.create_index(op.f('ix_policies_adopted_on'), 'policies', ['adopted_on'], unique=False)
    op.create_table('programs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('start_on', sa.String(length=10), nullable=True),
    sa.Column('end_on', sa.String(length=10), nullable=True),
    sa.Column('budget', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('goal', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('key_events', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.CheckConstraint("end_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_programs_end_on_partial_date')),
    sa.CheckConstraint("start_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'", name=op.f('ck_programs_start_on_partial_date')),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_programs_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs'))
    )
    op.create_index(op.f('ix_programs_start_on'), 'programs', ['start_on'], unique=False)
    op.create_table('relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('source_id <> target_id', name=op.f('ck_relations_no_self_edge')),
    sa.ForeignKeyConstraint(['source_id'], ['records.id'], name=op.f('fk_relations_source_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['records.id'], name=op.f('fk_relations_target_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relations')),
    sa.UniqueConstraint('source_id', 'target_id', 'type', name='uq_relations_edge')
    )
    op.create_index(op.f('ix_relations_target_id'), 'relations', ['target_id'], unique=False)
    op.create_table('revisions',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('key_id', sa.Uuid(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_revisions_key_id_api_keys'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_revisions_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions'))
    )
    op.create_index('ix_revisions_record_version', 'revisions', ['record_id', 'version'], unique=True)
    op.create_table('program_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_program_participants_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_participants_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_participants'))
    )
    op.create_index(op.f('ix_program_participants_organization_id'), 'program_participants', ['organization_id'], unique=False)
    op.create_index(op.f('ix_program_participants_program_id'), 'program_participants', ['program_id'], unique=False)
    _reference_data()


def _reference_data() -> None:
    countries = sa.table("countries", sa.column("code", sa.String), sa.column("names", postgresql.JSONB))
    op.bulk_insert(
        countries,
        [{"code": code, "names": names} for code, names in sorted(country_names(LANGUAGES).items())],
    )
    topics = sa.table(
        "topics", sa.column("slug", sa.String), sa.column("labels", postgresql.JSONB), sa.column("position", sa.Integer)
    )
    op.bulk_insert(
        topics, [{"slug": slug, "labels": labels, "position": i} for i, (slug, labels) in enumerate(DEFAULT_TOPICS)]
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_program_participants_program_id'), table_name='program_participants')
    op.drop_index(op.f('ix_program_participants_organization_id'), table_name='program_participants')
    op.drop_table('program_participants')
    op.drop_index('ix_revisions_record_version', table_name='revisions')
    op.drop_table('revisions')
    op.drop_index(op.f('ix_relations_target_id'), table_name='relations')
    op.drop_table('relations')
    op.drop_index(op.f('ix_programs_start_on'), table_name='programs')
    op.drop_table('programs')
    op.drop_index(op.f('ix_policies_adopted_on'), table_name='policies')
    op.drop_table('policies')
    op.drop_table('organizations')
    op.drop_index(op.f('ix_laws_adopted_on'), table_name='laws')
    op.drop_table('laws')
    op.drop_table('topics')
    op.drop_index('ix_records_topics', table_name='records', postgresql_using='gin')
    op.drop_index('ix_records_kind_updated', table_name='records')
    op.drop_index('ix_records_countries', table_name='records', postgresql_using='gin')
    op.drop_table('records')
    op.drop_table('countries')
    op.drop_index('ix_changes_unindexed', table_name='changes', postgresql_where=sa.text('indexed_at IS NULL'))
    op.drop_index(op.f('ix_changes_record_id'), table_name='changes')
    op.drop_table('changes')
    op.drop_table('api_keys')
