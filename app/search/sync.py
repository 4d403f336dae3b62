"""The outbox → Meilisearch. Every write leaves a `changes` row in its own transaction; the indexer
takes pending rows (SKIP LOCKED, so replicas share the work), indexes the records' *current* state
(public → upsert, otherwise → delete), waits for Meilisearch to confirm, then marks the rows done.
On any failure the rows stay pending and it retries with backoff: no update is lost."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from meilisearch_python_sdk import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from app.core.config import get_settings
from app.core.reference import country_names
from app.models import Change, Participant, Program, Record, Topic
from app.search.documents import search_document
from app.search.index import settings as index_settings

log = logging.getLogger("migrantkb.indexer")
TASK_TIMEOUT_MS = 60_000


async def ensure_index(client: AsyncClient, uid: str) -> None:
    """Create the index if needed and apply the settings (idempotent)."""
    indexes = await client.get_indexes() or []
    if uid not in {i.uid for i in indexes}:
        await client.create_index(uid, primary_key="id", timeout_in_ms=TASK_TIMEOUT_MS)
    task = await client.index(uid).update_settings(index_settings())
    await client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True)


async def _documents(session: AsyncSession, records: Sequence[Record]) -> list[dict[str, Any]]:
    labels = {t.slug: t.labels for t in (await session.execute(select(Topic))).scalars()}
    names = country_names(get_settings().languages)
    docs = []
    for record in records:
        participants: list[str] = []
        if isinstance(record, Program):
            for p in record.participants:
                if p.organization is not None and p.organization.publication == "published":
                    participants += list(p.organization.title.values())
                elif p.name:
                    participants.append(p.name)
        docs.append(
            search_document(record, country_names=names, topic_labels=labels, participant_names=participants)
        )
    return docs


def _load_query(ids: Sequence[uuid.UUID] | None = None) -> Any:
    from sqlalchemy.orm import with_polymorphic

    from app.models import Law, Organization, Policy

    poly = with_polymorphic(Record, [Law, Policy, Program, Organization])
    stmt = select(poly).options(selectinload(poly.Program.participants).joinedload(Participant.organization))
    if ids is not None:
        stmt = stmt.where(poly.id.in_(ids))
    return stmt


async def public_documents(session: AsyncSession, batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
    """Every public record's document, in batches (for a full reindex)."""
    last: uuid.UUID | None = None
    while True:
        stmt = _load_query().where(Record.publication == "published", Record.deleted_at.is_(None))
        if last is not None:
            stmt = stmt.where(Record.id > last)
        records = (await session.execute(stmt.order_by(Record.id).limit(batch))).unique().scalars().all()
        if not records:
            return
        yield await _documents(session, records)
        last = records[-1].id
        session.expunge_all()


class Indexer:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], client: AsyncClient, uid: str) -> None:
        self.sessionmaker = sessionmaker
        self.client = client
        self.uid = uid
        self.ready = False  # settings applied
        self.healthy = True  # last attempt reached Meilisearch

    async def drain_once(self, batch: int = 500) -> int:
        """Index one batch of pending changes; the number of change rows done."""
        if not self.ready:
            await ensure_index(self.client, self.uid)
            self.ready = True
        async with self.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(Change.seq, Change.record_id)
                    .where(Change.indexed_at.is_(None))
                    .order_by(Change.seq)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            ids = list(dict.fromkeys(r.record_id for r in rows))
            records = (await session.execute(_load_query(ids))).unique().scalars().all()
            public = [r for r in records if r.publication == "published" and r.deleted_at is None]
            gone = [str(i) for i in ids if i not in {r.id for r in public}]
            index = self.client.index(self.uid)
            if public:
                task = await index.add_documents(await _documents(session, public), primary_key="id")
                await self.client.wait_for_task(
                    task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True
                )
            if gone:
                task = await index.delete_documents(gone)
                await self.client.wait_for_task(
                    task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True
                )
            await session.execute(
                update(Change).where(Change.seq.in_([r.seq for r in rows])).values(indexed_at=func.now())
            )
            await session.commit()
            return len(rows)

    async def _confirm(self, task: Any) -> None:
        await self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True)

    async def drain(self) -> int:
        total = 0
        while n := await self.drain_once():
            total += n
        return total

    async def run(self, stop: asyncio.Event, poll_seconds: float = 0.5) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                done = await self.drain_once()
                self.healthy = True
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Meilisearch or PostgreSQL away: keep the rows, try later
                self.healthy = False
                log.warning("indexer: %s; retrying in %.0fs", exc.__class__.__name__, backoff)
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if not done:
                await _wait(stop, poll_seconds)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def outbox_lag(session: AsyncSession) -> tuple[int, float]:
    """Pending change rows and the age in seconds of the oldest one."""
    count, oldest = (
        await session.execute(select(func.count(), func.min(Change.at)).where(Change.indexed_at.is_(None)))
    ).one()
    age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest else 0.0
    return int(count), age
