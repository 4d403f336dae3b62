from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.record import Record, partial_date_check


class Event(Record):
    __tablename__ = "events"
    __table_args__ = (
        partial_date_check("starts_on"),
        partial_date_check("ends_on"),
        CheckConstraint("participants_count >= 0", name="participants_count"),
    )
    __mapper_args__ = {"polymorphic_identity": "event"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[str | None] = mapped_column(String(10), index=True)
    ends_on: Mapped[str | None] = mapped_column(String(10))
    place: Mapped[dict[str, Any]] = mapped_column(default=dict)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    participants_count: Mapped[int | None]
    outcomes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reform_activity: Mapped[bool] = mapped_column(default=False)
