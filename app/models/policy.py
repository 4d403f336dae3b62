from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.record import Record, partial_date_check


class Policy(Record):
    __tablename__ = "policies"
    __table_args__ = (
        partial_date_check("adopted_on"),
        partial_date_check("period_start"),
        partial_date_check("period_end"),
    )
    __mapper_args__ = {"polymorphic_identity": "policy"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    policy_type: Mapped[str] = mapped_column(String(32))
    issuing_body: Mapped[str | None] = mapped_column(Text)
    instrument: Mapped[str | None] = mapped_column(Text)
    adopted_on: Mapped[str | None] = mapped_column(String(10), index=True)
    period_start: Mapped[str | None] = mapped_column(String(10))
    period_end: Mapped[str | None] = mapped_column(String(10))
