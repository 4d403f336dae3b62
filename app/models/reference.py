from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Country(Base):
    """ISO 3166-1 countries with names in the content languages, filled from pycountry + CLDR."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    names: Mapped[dict[str, Any]]


class Topic(Base):
    __tablename__ = "topics"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    labels: Mapped[dict[str, Any]]
    position: Mapped[int] = mapped_column(default=0)
