"""The vectors' job: `embed_vectors` empties the backlog that the indexer fills (app/search/vectors.py
has the VectorWorker and the queueing), in a worker, for up to JOB_SECONDS at a time."""

from __future__ import annotations

import time

from procrastinate import JobContext, RetryStrategy

from app.jobs.queue import queue
from app.jobs.runtime import WorkerRuntime
from app.search.index import SearchIndex
from app.search.vectors import (
    VECTOR_LOCK,
    VECTOR_QUEUE,
    VECTOR_TASK,
    VectorWorker,
    queue_vector_job,
    vector_backlog,
)

# A job gives the worker back after this long and queues its sequel (other jobs get their turn).
JOB_SECONDS = 60.0
# While a bulk import is being indexed (outbox_busy), the next look is this much later.
BUSY_SECONDS = 5.0


# Every minute as well: a backlog left by a job that failed for good is taken up again.
@queue.periodic(cron="* * * * *", periodic_id="vectors")
@queue.task(
    name=VECTOR_TASK,
    queue=VECTOR_QUEUE,
    queueing_lock=VECTOR_LOCK,
    pass_context=True,
    retry=RetryStrategy(max_attempts=5, exponential_wait=5),
)
async def embed_vectors(context: JobContext, timestamp: int = 0) -> int:
    """Empties the backlog (for up to JOB_SECONDS); the records given vectors."""
    runtime: WorkerRuntime = context.additional_context["runtime"]
    settings = runtime.settings
    if not settings.search_embeddings or not settings.meili_url:
        return 0

    def start() -> VectorWorker:
        index = SearchIndex.from_settings(settings, timeout=30)
        assert index is not None  # meili_url is set
        return VectorWorker(
            runtime.sessionmaker,
            index,
            threads=settings.embedding_threads,
            engine=settings.embedding_passages,
        )

    worker = runtime.resource(VectorWorker, start, close=lambda w: w.index.aclose())
    deadline = time.monotonic() + JOB_SECONDS
    done = 0
    while time.monotonic() < deadline and not runtime.stopping.is_set() and (n := await worker.run_once()):
        done += n
    async with runtime.sessionmaker() as session:
        # A sequel only for rows nobody holds: a job running beside this one (two workers, or the
        # every-minute safety net) finishes its own claimed rows.
        if await vector_backlog(session, unclaimed=True):
            await queue_vector_job(session, after=0.0 if done else BUSY_SECONDS)
            await session.commit()
    return done
