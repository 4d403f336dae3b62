from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.record import Record, partial_date_check

if TYPE_CHECKING:
    from app.models.organization import Organization


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

    participants: Mapped[list[Participant]] = relationship(
        back_populates="program",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Participant.position",
        foreign_keys="Participant.program_id",
    )


class Participant(Base):
    """An organization's role in a program; `name` alone when no organization record matches."""

    __tablename__ = "program_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)

    program: Mapped[Program] = relationship(
        back_populates="participants", lazy="raise", foreign_keys=[program_id]
    )
    organization: Mapped[Organization | None] = relationship(
        back_populates="participations", lazy="raise", foreign_keys=[organization_id]
    )
