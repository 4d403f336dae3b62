"""Indicators (a record kind) and their own tables: the sources figures are read from, and the
observations (one value of one indicator for a country or a regional aggregate, a period, an
optional disaggregation, from one source). Several observations of one indicator, country and period
from different sources are all kept: the unique key includes the source."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamps
from app.models.record import Record


class Indicator(Record):
    __tablename__ = "indicators"
    __mapper_args__ = {"polymorphic_identity": "indicator"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    unit: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(120), index=True)


class IndicatorSource(Timestamps, Base):
    """Where figures were read: publisher, title, URL, vintage and, when read from a copy or a
    report citing the publisher, `via`."""

    __tablename__ = "indicator_sources"
    __table_args__ = (CheckConstraint("key ~ '^[a-z0-9][a-z0-9._-]{0,119}$'", name="key_format"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    publisher: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    vintage: Mapped[str | None] = mapped_column(String(32))
    via: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    __tablename__ = "indicator_observations"
    __table_args__ = (
        # One index: the key, in the order the series are read (an indicator's countries in time).
        UniqueConstraint(
            "indicator_id",
            "country",
            "period_start",
            "period",
            "disaggregation",
            "source_id",
            name="uq_indicator_observations_key",
        ),
        CheckConstraint("period_start <= period_end", name="period_order"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    # ISO 3166-1 alpha-2, or a regional aggregate ("CA") whose members are in `region`.
    country: Mapped[str] = mapped_column(String(8))
    region: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list, server_default="{}")
    # As written ("2022", "2024-12", "2023-Q1", "2019-01/2019-06"), and the days it spans.
    period: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    disaggregation: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_sources.id", ondelete="RESTRICT"), index=True
    )
