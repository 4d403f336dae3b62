"""The vectors' job: `embed_vectors` empties the backlog that the indexer fills (app/search/vectors.py
has the VectorWorker and the queueing), in a worker, for up to JOB_SECONDS at a time.

Vectors scale with cores and worker processes: each process runs one job at a time, with one
pipeline a core, each with a model of its own (`pipelines`; the claims split the backlog, nothing is
computed twice). A job queues its sequel as soon as it holds a batch, so a second worker process
takes a share of the backlog at once; a job that lands on a process already embedding (the
every-minute one, or that sequel) hands the work on after BUSY_SECONDS instead of running beside
the first: it held a second job slot, and it loaded models of its own by accident (the process's
model was made lazily by whichever job came first)."""

from __future__ import annotations

import os
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
# While a bulk import is being indexed (outbox_busy), or when the process is embedding already, the
# next look is this much later.
BUSY_SECONDS = 5.0


def pipelines(threads: int) -> int:
    """Model pipelines a worker process runs: one a core (of the cores it may use), each model on
    EMBEDDING_THREADS of them. Two models side by side in one process give the same vectors as one
    alone (checked bit for bit on 16 passages)."""
    return max(1, len(os.sched_getaffinity(0)) // threads)


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
        threads = settings.embedding_threads
        return VectorWorker(
            runtime.sessionmaker,
            index,
            threads=threads,
            pipelines=pipelines(threads),
            engine=settings.embedding_passages,
        )

    worker = runtime.resource(VectorWorker, start, close=lambda w: w.index.aclose())
    if worker.running:
        # One pipeline and one model per process: this job (the every-minute one, or a sequel this
        # process took) hands the work on, a little later, to a worker process that is free.
        await _sequel(runtime, after=BUSY_SECONDS)
        return 0
    worker.running = True
    try:
        deadline = time.monotonic() + JOB_SECONDS
        done = await worker.run(
            lambda: time.monotonic() < deadline and not runtime.stopping.is_set(),
            # Once a batch is in hand, another worker process may take the rest at once.
            claimed=lambda: _sequel(runtime, after=0.0),
        )
    finally:
        worker.running = False
    await _sequel(runtime, after=0.0 if done else BUSY_SECONDS)
    return done


async def _sequel(runtime: WorkerRuntime, *, after: float) -> None:
    """The next job, only for rows nobody holds (a job running elsewhere finishes its own claimed
    rows); one waiting job stands for any number of these (VECTOR_LOCK)."""
    async with runtime.sessionmaker() as session:
        if await vector_backlog(session, unclaimed=True):
            await queue_vector_job(session, after=after)
            await session.commit()
