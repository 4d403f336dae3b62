"""The search outbox's side of attachments: their text changed, so their record's chunks are
re-filed by the indexer (app/search/sync.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import DOCUMENTS, Change, Record


async def documents_changed(session: AsyncSession, record_id: uuid.UUID) -> None:
    """An outbox row for the record (in the caller's transaction): the indexer re-files its
    attachments' chunks. Outbox only: the change feed does not list it."""
    await session.execute(
        insert(Change).from_select(
            ["record_id", "kind", "slug", "action", "version", "public", "public_before"],
            select(
                Record.id,
                Record.kind,
                Record.slug,
                literal(DOCUMENTS),
                Record.version,
                literal(False),
                literal(False),
            ).where(Record.id == record_id),
        )
    )
