"""The outbox → Meilisearch. Every write leaves a `changes` row in its own transaction; the indexer
takes pending rows (SKIP LOCKED, so replicas share the work), indexes the records' *current* state
(public → upsert, otherwise → delete), waits for Meilisearch to confirm, then marks the rows done.
On any failure the rows stay pending and it retries with backoff: no update is lost."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import one_of
from app.core.i18n import LANGUAGES
from app.core.reference import country_names
from app.models import (
    DOCUMENTS,
    Attachment,
    AttachmentPage,
    Change,
    Participant,
    Record,
    is_public,
    visible,
)
from app.reference.repository import ReferenceRepository
from app.registry import KINDS
from app.search.documents import chunk_documents, search_document
from app.search.index import record_id_of, without_vector
from app.search.loop import IndexWorker, keep_running, pause
from app.search.rows import rows_query
from app.search.vectors import attach_vectors, queue_for_vectors, vector_backlog

log = logging.getLogger("migrantkb.indexer")


async def _documents(session: AsyncSession, rows: Sequence[Any]) -> list[dict[str, Any]]:
    labels = await ReferenceRepository(session).topic_labels(cached=False)
    names = country_names(LANGUAGES)  # the countries' names in every content language
    with_participants = [row.id for row in rows if KINDS[row.kind].participants]
    participants: dict[uuid.UUID, list[str]] = {}
    if with_participants:
        org = Record.__table__.alias("org")
        found = await session.execute(
            select(Participant.record_id, Participant.name, org.c.title, org.c.publication, org.c.deleted_at)
            .select_from(Participant.__table__.outerjoin(org, org.c.id == Participant.organization_id))
            .where(one_of(Participant.record_id, with_participants))
        )
        for row in found.all():
            if row.title is not None and is_public(row):
                participants.setdefault(row.record_id, []).extend(row.title.values())
            elif row.name:
                participants.setdefault(row.record_id, []).append(row.name)
    docs = [
        search_document(
            row, country_names=names, topic_labels=labels, participant_names=participants.get(row.id, [])
        )
        for row in rows
    ]
    await attach_vectors(session, rows, docs)
    return docs


async def chunk_documents_of(session: AsyncSession, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunks of the extracted pages of these (public) records' attachments."""
    if not docs:
        return []
    by_id = {record_id_of(d): d for d in docs}
    pages = await session.execute(
        select(AttachmentPage.attachment_id, AttachmentPage.page, AttachmentPage.text, Attachment.record_id)
        .join(Attachment, Attachment.id == AttachmentPage.attachment_id)
        .where(one_of(Attachment.record_id, list(by_id)), Attachment.extraction_state == "done")
        .order_by(Attachment.record_id, AttachmentPage.attachment_id, AttachmentPage.page)
    )
    grouped: dict[uuid.UUID, list[Any]] = {}
    for row in pages.all():
        grouped.setdefault(row.record_id, []).append(row)
    return [chunk for rid, rows in grouped.items() for chunk in chunk_documents(by_id[rid], rows)]


async def with_attachments(session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found = await session.execute(
        select(Attachment.record_id).where(one_of(Attachment.record_id, ids)).distinct()
    )
    return set(found.scalars())


async def public_documents(session: AsyncSession, batch: int = 1000) -> AsyncIterator[list[dict[str, Any]]]:
    """Every public record's document and its attachments' chunks, in batches (for a reindex)."""
    last: uuid.UUID | None = None
    r = Record.__table__.c
    while True:
        stmt = rows_query().where(visible(r))
        if last is not None:
            stmt = stmt.where(r.id > last)
        rows = (await session.execute(stmt.order_by(r.id).limit(batch))).all()
        if not rows:
            return
        docs = await _documents(session, rows)
        yield docs + await chunk_documents_of(session, docs)
        last = rows[-1].id


class Indexer(IndexWorker):
    BATCH = 5000  # changes per Meilisearch task: each batch has a fixed cost that grows with the index

    def __init__(self, *args: Any, gather_seconds: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gather_seconds = gather_seconds
        self.ready = False  # settings applied
        self.healthy = True  # last attempt reached Meilisearch

    async def drain_once(self, batch: int = BATCH, depth: int = 4, most: int = 10) -> int:
        """Index up to `most` batches of pending changes; the number of change rows done.

        A rolling window: up to `depth` batches are in Meilisearch at once, and as soon as the
        oldest is confirmed its rows are marked done (in the transaction that locked them) and the
        next batch is read, built and sent, so Python builds documents while Meilisearch indexes
        the ones before. Rows stay locked (SKIP LOCKED for other replicas) until confirmed; a
        failure leaves them pending, and re-sending is harmless."""
        if not self.ready:
            await self.index.ensure()
            self.ready = True
        window: deque[tuple[AsyncSession, list[int], list[Any], list[uuid.UUID]]] = deque()
        done = sent = 0
        more = True
        try:
            while True:
                while more and sent < most and len(window) < depth:
                    session = self.sessionmaker()
                    item = await self._send(session, batch)
                    if item is None:
                        await session.close()
                        more = False
                    else:
                        window.append(item)
                        sent += 1
                if not window:
                    break
                session, seqs, tasks, waiting = window.popleft()
                try:
                    for task in tasks:
                        await self.index.confirm(task)
                    # Written only now, in order: a batch in flight never waits for a later one.
                    await queue_for_vectors(session, waiting)
                    await session.execute(
                        update(Change).where(one_of(Change.seq, seqs)).values(indexed_at=func.now())
                    )
                    await session.commit()
                finally:
                    await session.close()
                done += len(seqs)
        finally:
            for session, *_ in window:  # not confirmed: rolled back, the rows stay pending
                await session.close()
            if done:
                self.on_change()
        return done

    async def _send(
        self, session: AsyncSession, batch: int
    ) -> tuple[AsyncSession, list[int], list[Any], list[uuid.UUID]] | None:
        """Lock a batch of pending changes, send their records' current state; None when idle."""
        try:
            rows = (
                await session.execute(
                    select(Change.seq, Change.record_id, Change.action)
                    .where(Change.indexed_at.is_(None))
                    .order_by(Change.seq)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return None
            ids = list(dict.fromkeys(r.record_id for r in rows))
            records = (await session.execute(rows_query().where(one_of(Record.__table__.c.id, ids)))).all()
            public = [r for r in records if is_public(r)]
            shown = {r.id for r in public}
            gone = [str(i) for i in ids if i not in shown]
            tasks, waiting = [], []
            # Records whose attachments' chunks may have changed: they have attachments, or one was
            # removed (its `documents` change). Their old chunks go first; tasks run in order.
            refiled = await with_attachments(session, ids)
            refiled |= {r.record_id for r in rows if r.action == DOCUMENTS}
            if refiled:
                tasks.append(await self.index.delete_chunks(refiled))
            if public:
                docs = await _documents(session, public)
                waiting = without_vector(docs)
                chunks = await chunk_documents_of(session, [d for d in docs if record_id_of(d) in refiled])
                tasks.append(await self.index.add(docs + chunks))
            if gone:
                tasks.append(await self.index.delete_records(gone))
            return session, [r.seq for r in rows], tasks, waiting
        except BaseException:
            await session.close()
            raise

    async def _report_lag(self) -> None:
        from app.core.observability import OUTBOX_LAG, OUTBOX_PENDING, VECTOR_BACKLOG

        async with self.sessionmaker() as session:
            pending, lag = await outbox_lag(session)
            vectors = await vector_backlog(session)
        OUTBOX_PENDING.set(pending)
        OUTBOX_LAG.set(lag)
        VECTOR_BACKLOG.set(vectors)

    async def drain(self) -> int:
        total = 0
        while n := await self.drain_once():
            total += n
        return total

    async def run(self, stop: asyncio.Event, poll_seconds: float = 0.5) -> None:
        def healthy(ok: bool) -> None:
            self.healthy = ok

        async def step() -> int:
            done = await self.drain_once()
            if 0 < done < self.BATCH:
                # The backlog is drained: the writes arriving now gather into one batch. A Meilisearch
                # batch has a fixed cost (the word FST, prefixes, facets are rebuilt) that grows with
                # the index, so a batch per trickling write would keep a core busy.
                await pause(stop, self.gather_seconds)
            return done

        await keep_running(
            step, stop, poll_seconds=poll_seconds, log=log, healthy=healthy, idle=self._report_lag
        )


async def outbox_lag(session: AsyncSession) -> tuple[int, float]:
    """Pending change rows and the age in seconds of the oldest one."""
    count, oldest = (
        await session.execute(select(func.count(), func.min(Change.at)).where(Change.indexed_at.is_(None)))
    ).one()
    age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest else 0.0
    return int(count), age
