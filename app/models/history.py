"""What changed, when and by whom: revisions per record, and the ordered change log that is both
the search outbox and the public change feed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_record_version", "record_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The version this change replaced, as an editable body; {} for a creation.
    snapshot: Mapped[dict[str, Any]]


# The action of an outbox-only change: a record's attachments' text changed (extracted, removed).
# The indexer re-files the record's chunks; the change feed does not list it (the record is as it was).
DOCUMENTS = "documents"


class Change(Base):
    """One row per write, in the writing transaction (the transactional outbox).

    `xid` lets readers hold back rows of transactions still in flight, so a feed reader
    never skips a row that commits later with a smaller `seq`.
    """

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_unindexed", "seq", postgresql_where=text("indexed_at IS NULL")),
        Index("ix_changes_public_seq", "seq", postgresql_where=text("public OR public_before")),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[int]
    # Visible to the public after / before this change: the public feed turns a record leaving the
    # public set (unpublished, archived, deleted) into a tombstone and one entering it into a creation.
    public: Mapped[bool] = mapped_column(default=True)
    public_before: Mapped[bool] = mapped_column(default=False, server_default="false")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text("pg_current_xact_id()::text::bigint"))
    indexed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
