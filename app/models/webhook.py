"""Webhook subscriptions and their delivery log.

A subscription reads the public change feed from its own `cursor` (the last `seq` it has settled:
delivered, or passed over by its filters), one change at a time, so its target hears the feed in
order. The signing secret is kept as the spec writes it (`whsec_…`): signing needs it, so it cannot
be hashed; it is shown once, when the subscription is made."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamps


class Webhook(Timestamps, Base):
    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    # Empty: every kind (action, country, topic).
    kinds: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    actions: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    countries: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list)
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list)
    # A search's words (`q`): only changes of records that match them (app/search/match.py).
    query: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # The first failure of the delivery now being retried; null while deliveries succeed.
    failing_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Not before: the backoff after a failed delivery.
    retry_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """One attempt to deliver one change to one subscription."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_webhook_id", "webhook_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str] = mapped_column(String(80))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
