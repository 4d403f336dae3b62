"""What the exchange formats (IATI in app/programs, Popolo and HSDS in app/organizations) share:
the records read in batches, the names of the organizations taking part, a text in one language."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Record, visible
from app.records.catalog import CATALOG

BATCH = 200


async def batches(
    records: AsyncIterator[dict[str, Any]], size: int = BATCH
) -> AsyncIterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    async for body in records:
        batch.append(body)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def participant_names(
    sessionmaker: async_sessionmaker[AsyncSession], slugs: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Names (in every language) and identifiers of the public records of the participants' kind
    (organizations) with these slugs."""
    wanted = list(set(slugs))
    if not wanted:
        return {}
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Record.slug, Record.title, Record.identifiers).where(
                Record.kind == CATALOG.participant_kind, Record.slug.in_(wanted), visible()
            )
        )
        return {r.slug: {"name": dict(r.title), "identifiers": r.identifiers or []} for r in rows}
