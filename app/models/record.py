"""The base of every record kind (joined-table inheritance) and the typed relations between them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Timestamps

if TYPE_CHECKING:
    from app.models.participant import Participant

PARTIAL_DATE_CHECK = r"~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'"


def partial_date_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} {PARTIAL_DATE_CHECK}", name=f"{column}_partial_date")


class Record(Timestamps, Base):
    __tablename__ = "records"
    __table_args__: tuple[Any, ...] = (
        UniqueConstraint("kind", "slug", name="uq_records_kind_slug"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,118}$'", name="slug_format"),
        CheckConstraint("publication in ('draft', 'published', 'archived')", name="publication"),
        partial_date_check("last_verified_on"),
        Index("ix_records_countries", "countries", postgresql_using="gin"),
        Index("ix_records_topics", "topics", postgresql_using="gin"),
        Index("ix_records_kind_updated", "kind", "updated_at"),
        # The PostgreSQL search (while Meilisearch is away) matches search_text through this.
        Index(
            "ix_records_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        # Public counts and first pages come from this index alone (the table is wide).
        Index(
            "ix_records_public",
            "kind",
            "slug",
            postgresql_include=["id"],
            postgresql_where=text("publication = 'published' AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    original_language: Mapped[str | None] = mapped_column(String(8))
    countries: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list)
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    source_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    identifiers: Mapped[list[Any]] = mapped_column(default=list)
    last_verified_on: Mapped[str | None] = mapped_column(String(10))
    translation_kinds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(32))
    publication: Mapped[str] = mapped_column(String(16), default="draft")
    editorial: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Folded titles, summaries and codes for the PostgreSQL search fallback (kept by the service).
    # Deferred: only SQL filters read it, and it is the widest column.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

    relations_out: Mapped[list[Relation]] = relationship(
        foreign_keys="Relation.source_id", back_populates="source", lazy="raise", cascade="all, delete-orphan"
    )
    relations_in: Mapped[list[Relation]] = relationship(
        foreign_keys="Relation.target_id", back_populates="target", lazy="raise", viewonly=True
    )
    # Organizations taking part (kinds whose spec declares participants), in order.
    participants: Mapped[list[Participant]] = relationship(
        back_populates="record",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Participant.position",
        foreign_keys="Participant.record_id",
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}


class Relation(Base):
    """A typed edge: `source` amends / repeals / implements / is based on / is related to `target`."""

    __tablename__ = "relations"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "type", name="uq_relations_edge"),
        CheckConstraint("source_id <> target_id", name="no_self_edge"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    target_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(default=0)

    source: Mapped[Record] = relationship(
        foreign_keys=[source_id], back_populates="relations_out", lazy="raise"
    )
    target: Mapped[Record] = relationship(
        foreign_keys=[target_id], back_populates="relations_in", lazy="raise"
    )


def is_public(record: Any) -> bool:
    """The one rule for what the public may see, on a record or a row that has its columns."""
    return record.publication == "published" and record.deleted_at is None


def visible(columns: Any = None) -> Any:
    """The same rule (`is_public`) as a SQL condition on `records` (or an alias)."""
    c = Record.__table__.c if columns is None else columns
    return and_(c.publication == "published", c.deleted_at.is_(None))
