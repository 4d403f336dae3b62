from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.record import Record, partial_date_check


class Program(Record):
    __tablename__ = "programs"
    __table_args__ = (partial_date_check("start_on"), partial_date_check("end_on"))
    __mapper_args__ = {"polymorphic_identity": "program"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    start_on: Mapped[str | None] = mapped_column(String(10), index=True)
    end_on: Mapped[str | None] = mapped_column(String(10))
    budget: Mapped[dict[str, Any] | None]
    goal: Mapped[dict[str, Any]] = mapped_column(default=dict)
    key_events: Mapped[list[Any]] = mapped_column(default=list)
