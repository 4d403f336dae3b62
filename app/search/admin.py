"""Operations on the whole index: rebuild with an atomic swap, and compare with PostgreSQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from meilisearch_python_sdk import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Record, visible
from app.search.sync import TASK_TIMEOUT_MS, ensure_index, public_documents
from app.search.vectors import queue_for_vectors, without_vector


async def reindex(
    session: AsyncSession, client: AsyncClient, uid: str, progress: Callable[[int], None] | None = None
) -> int:
    """Build a new index from PostgreSQL, then swap it in: search keeps answering from the old one
    until the swap, which Meilisearch applies atomically."""
    fresh = f"{uid}_build_{int(time.time())}"
    await ensure_index(client, fresh)
    count = 0
    missing: list[uuid.UUID] = []
    async for docs in public_documents(session):
        task = await client.index(fresh).add_documents(docs, primary_key="id")
        await client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS * 10, raise_for_status=True)
        await session.commit()  # no transaction held across the build
        missing += without_vector(docs)
        count += len(docs)
        if progress:
            progress(len(docs))
    existing = {i.uid for i in await client.get_indexes() or []}
    if uid in existing:
        task = await client.swap_indexes([(uid, fresh)])
        await client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True)
        await client.index(fresh).delete()  # now holds the old documents
    else:
        task = await client.swap_indexes([(fresh, uid)], rename=True)
        await client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True)
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


async def check_index(session: AsyncSession, client: AsyncClient, uid: str) -> Drift:
    rows = await session.execute(select(Record.id, Record.version).where(visible()))
    truth = {str(i): v for i, v in rows.all()}
    indexed: dict[str, int] = {}
    orphans: list[str] = []  # chunks of attachments whose record is not public
    offset = 0
    fields = ["id", "version", "part", "record_id"]
    while True:
        page = await client.index(uid).get_documents(offset=offset, limit=1000, fields=fields)
        for doc in page.results:
            if doc.get("part") == "document":
                if str(doc.get("record_id")) not in truth:
                    orphans.append(str(doc["id"]))
            else:
                indexed[str(doc["id"])] = int(doc["version"])
        offset += len(page.results)
        if len(page.results) < 1000:
            break
    return Drift(
        missing=sorted(set(truth) - set(indexed)),
        extra=sorted(set(indexed) - set(truth)) + sorted(orphans),
        stale=sorted(i for i in set(truth) & set(indexed) if truth[i] != indexed[i]),
    )
