"""Files attached to records: the row says which record, what the file is and where its
text extraction stands; the bytes live in the file store under their sha256 (stored once however
many rows name them); `attachment_pages` holds the text of each page once extracted."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamps

EXTRACTION_STATES = ("pending", "running", "done", "failed")


class Attachment(Timestamps, Base):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "extraction_state in ('pending', 'running', 'done', 'failed')", name="extraction_state"
        ),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint("size >= 0", name="size"),
        Index("ix_attachments_sha256", "sha256"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # BCP 47 tags of the languages the document is in (OCR reads it in these).
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    extraction_state: Mapped[str] = mapped_column(String(16), default="pending")
    extraction_error: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None] = mapped_column(Integer)
    ocr_pages: Mapped[int | None] = mapped_column(Integer)
    extracted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))


class AttachmentPage(Base):
    __tablename__ = "attachment_pages"
    __table_args__ = (
        # The PostgreSQL search (while Meilisearch is away) matches the folded text through this
        # (app.search.fallback._folded: the same expression).
        Index(
            "ix_attachment_pages_folded_text",
            text("(translate(lower(text), 'қғңөүұәіһҳҷӣўӯё', 'кгнооууаиххчиууе')) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    attachment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True
    )
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # "text": the file's own text layer; "ocr": read from the page's image.
    method: Mapped[str] = mapped_column(String(8))
