"""Operations on the whole index: rebuild with an atomic swap, and compare with PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Record, visible
from app.search.index import TASK_TIMEOUT_MS, SearchIndex, without_vector
from app.search.sync import public_documents
from app.search.vectors import queue_for_vectors


async def reindex(
    session: AsyncSession,
    index: SearchIndex,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Build a new index from PostgreSQL, then swap it in: search keeps answering from the old one
    until the swap, which Meilisearch applies atomically."""
    fresh = index.build()
    await fresh.ensure()
    count = 0
    missing: list[uuid.UUID] = []
    async for docs in public_documents(session):
        await fresh.wait(await fresh.add(docs), timeout_ms=TASK_TIMEOUT_MS * 10)
        await session.commit()  # no transaction held across the build
        missing += without_vector(docs)
        count += len(docs)
        if progress:
            progress(len(docs))
    await index.swap_in(fresh)
    # Documents sent without a vector join the backlog once the new index is live (a vector
    # computed while it was built would have gone to the old one; cached ones cost a partial update).
    await queue_for_vectors(session, missing)
    await session.commit()
    return count


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)  # public in PostgreSQL, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not public in PostgreSQL
    stale: list[str] = field(default_factory=list)  # indexed at another version

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)


async def check_index(session: AsyncSession, index: SearchIndex) -> Drift:
    rows = await session.execute(select(Record.id, Record.version).where(visible()))
    truth = {str(i): v for i, v in rows.all()}
    indexed, chunk_owners = await index.indexed_versions()
    # Chunks of attachments whose record is not public.
    orphans = [doc_id for doc_id, record_id in chunk_owners if record_id not in truth]
    return Drift(
        missing=sorted(set(truth) - set(indexed)),
        extra=sorted(set(indexed) - set(truth)) + sorted(orphans),
        stale=sorted(i for i in set(truth) & set(indexed) if truth[i] != indexed[i]),
    )
