"""The few reads the pages make beyond the services they share with the JSON routes: topic
labels, the text of a record's attachment pages, and the newest public records for a feed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.text import fold
from app.models import Attachment, AttachmentPage, Record, visible
from app.search.fallback import page_holds_a_word


class SiteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def attachments(self, record_id: uuid.UUID, limit: int) -> list[Attachment]:
        """A record's files, oldest first (the record is one the public may see: the caller read it)."""
        rows = await self.session.scalars(
            select(Attachment)
            .where(Attachment.record_id == record_id)
            .order_by(Attachment.created_at, Attachment.id)
            .limit(limit)
        )
        return list(rows)

    async def pages(self, attachment_ids: Sequence[uuid.UUID], q: str, most: int) -> list[Any]:
        """The first `most` pages of each file that hold one of the query's words, found in SQL
        through the pages' trigram index: a long document's text is not read whole to find them."""
        if not attachment_ids:
            return []
        n = func.row_number().over(partition_by=AttachmentPage.attachment_id, order_by=AttachmentPage.page)
        holding = (
            select(AttachmentPage.attachment_id, AttachmentPage.page, AttachmentPage.text, n.label("n"))
            .where(AttachmentPage.attachment_id.in_(attachment_ids), page_holds_a_word(fold(q)))
            .subquery()
        )
        rows = await self.session.execute(
            select(holding.c.attachment_id, holding.c.page, holding.c.text)
            .where(holding.c.n <= most)
            .order_by(holding.c.attachment_id, holding.c.page)
        )
        return list(rows)

    async def newest(
        self,
        *,
        kinds: Sequence[str],
        countries: Sequence[str],
        topics: Sequence[str],
        ids: Sequence[uuid.UUID] | None,
        limit: int,
    ) -> list[Any]:
        """Public records, newest change first, within `ids` when a query chose them."""
        stmt = select(
            Record.id,
            Record.kind,
            Record.slug,
            Record.title,
            Record.summary,
            Record.original_language,
            Record.translation_kinds,
            Record.countries,
            Record.topics,
            Record.created_at,
            Record.updated_at,
        ).where(visible())
        if kinds:
            stmt = stmt.where(Record.kind.in_(kinds))
        if countries:
            stmt = stmt.where(Record.countries.overlap(list(countries)))
        if topics:
            stmt = stmt.where(Record.topics.overlap(list(topics)))
        if ids is not None:
            stmt = stmt.where(Record.id.in_(ids))
        stmt = stmt.order_by(Record.updated_at.desc(), Record.id).limit(limit)
        return list(await self.session.execute(stmt))
