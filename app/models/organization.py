from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.record import Record, partial_date_check

if TYPE_CHECKING:
    from app.models.participant import Participant


class Organization(Record):
    __tablename__ = "organizations"
    __table_args__ = (partial_date_check("founded"),)
    __mapper_args__ = {"polymorphic_identity": "organization"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    acronym: Mapped[str | None] = mapped_column(String(64))
    org_type: Mapped[str] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    founded: Mapped[str | None] = mapped_column(String(10))
    services: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)

    participations: Mapped[list[Participant]] = relationship(
        back_populates="organization", lazy="raise", viewonly=True, foreign_keys="Participant.organization_id"
    )
