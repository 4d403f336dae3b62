from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.record import Record, partial_date_check


class Law(Record):
    __tablename__ = "laws"
    __table_args__ = (
        partial_date_check("adopted_on"),
        partial_date_check("in_force_on"),
        partial_date_check("status_as_of"),
    )
    __mapper_args__ = {"polymorphic_identity": "law"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    instrument_type: Mapped[str] = mapped_column(String(32))
    number: Mapped[str | None] = mapped_column(String(200))
    issuing_body: Mapped[str | None] = mapped_column(Text)
    adopted_on: Mapped[str | None] = mapped_column(String(10), index=True)
    in_force_on: Mapped[str | None] = mapped_column(String(10))
    status_as_of: Mapped[str | None] = mapped_column(String(10))
    official_publication: Mapped[str | None] = mapped_column(Text)
    ratifications: Mapped[list[Any]] = mapped_column(default=list)
