"""The queue's own upkeep, run by every worker:

- jobs of a worker that died (no heartbeat for STALLED_WORKER_SECONDS) go back to the queue, every
  minute and whenever a worker starts, so a killed worker never leaves a job stuck;
- attachment bytes that no row names (a process that died between storing a file and committing
  its row) are removed once they are an hour old, every hour."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from procrastinate import JobContext, exceptions
from procrastinate.jobs import Status
from sqlalchemy import select

from app.attachments.service import forget_unreferenced
from app.jobs.queue import queue
from app.jobs.runtime import WorkerRuntime
from app.models import Attachment

log = logging.getLogger("migrantkb.jobs")

# A stored file younger than this may belong to an upload still in flight: it is left alone.
ORPHAN_GRACE = dt.timedelta(hours=1)


async def retry_stalled(manager: Any, seconds: float) -> int:
    await manager.prune_stalled_workers(seconds)
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        try:
            await manager.retry_job(job)
        except exceptions.UniqueViolation:
            # A job with its queueing lock waits already and will do the same work.
            await manager.finish_job(job, status=Status.ABORTED, delete_job=True)
            log.warning("job %s (%s) of a stopped worker is dropped: its sequel waits", job.id, job.task_name)
            continue
        log.warning("job %s (%s) of a stopped worker goes back to the queue", job.id, job.task_name)
    return len(stalled)


@queue.periodic(cron="* * * * *", periodic_id="retry_stalled")
@queue.task(name="retry_stalled_jobs", queue="maintenance", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    runtime: WorkerRuntime = context.additional_context["runtime"]
    return await retry_stalled(context.app.job_manager, runtime.settings.stalled_worker_seconds)


async def sweep_files(runtime: WorkerRuntime, grace: dt.timedelta = ORPHAN_GRACE) -> int:
    """Removes stored files older than `grace` that no attachment names; the number removed."""
    cutoff = dt.datetime.now(dt.UTC) - grace
    removed = 0
    async for batch in runtime.store.listing():
        old = {sha for sha, modified in batch if modified < cutoff}
        if not old:
            continue
        async with runtime.sessionmaker() as session:
            named = set(
                (await session.execute(select(Attachment.sha256).where(Attachment.sha256.in_(old)))).scalars()
            )
        for sha256 in old - named:
            async with runtime.sessionmaker() as session:  # checked again under the content lock
                if await forget_unreferenced(session, runtime.store, sha256):
                    log.warning("removed stored file %s: no attachment names it", sha256)
                    removed += 1
    return removed


@queue.periodic(cron="17 * * * *", periodic_id="sweep_files")
@queue.task(name="sweep_files", queue="maintenance", pass_context=True)
async def sweep_files_job(context: JobContext, timestamp: int) -> int:
    return await sweep_files(context.additional_context["runtime"])
