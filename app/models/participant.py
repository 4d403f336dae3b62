"""An organization's part in a record (a program's donor, an event's organizer, a publication's
publisher): one table for every kind whose spec declares participants (app/records/spec.py);
`name` alone when no organization record matches."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

if TYPE_CHECKING:
    from app.models.organization import Organization
    from app.models.record import Record


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)

    record: Mapped[Record] = relationship(
        back_populates="participants", lazy="raise", foreign_keys=[record_id]
    )
    organization: Mapped[Organization | None] = relationship(
        back_populates="participations", lazy="raise", foreign_keys=[organization_id]
    )
