"""Embeddings for hybrid search: a cache keyed by the hash of the text the model read (so a reindex
or an unchanged update computes nothing), and the queue of records whose document still lacks one."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Float, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Embedding(Base):
    __tablename__ = "embeddings"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the passage
    vector: Mapped[list[float]] = mapped_column(ARRAY(Float(precision=24)))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class VectorBacklog(Base):
    """A record indexed without a vector, waiting for one (one row per record: the latest text)."""

    __tablename__ = "vector_backlog"

    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set while a worker embeds the row (app/search/vectors.py); a claim past this time is free again.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
