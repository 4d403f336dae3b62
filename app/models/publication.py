from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.record import Record, partial_date_check


class Publication(Record):
    __tablename__ = "publications"
    __table_args__ = (partial_date_check("published_on"),)
    __mapper_args__ = {"polymorphic_identity": "publication"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    pub_type: Mapped[str] = mapped_column(String(32))
    published_on: Mapped[str | None] = mapped_column(String(10), index=True)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    authors: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    url: Mapped[str | None] = mapped_column(Text)
