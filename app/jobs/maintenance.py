"""The queue's own upkeep, run by every worker: jobs of a worker that died (no heartbeat for
STALLED_WORKER_SECONDS) go back to the queue, every minute and whenever a worker starts, so a killed
worker never leaves a job stuck. (The hourly sweep of stored files is app/attachments/jobs.py's.)"""

from __future__ import annotations

import logging
from typing import Any

from procrastinate import JobContext, exceptions
from procrastinate.jobs import Status

from app.jobs.queue import queue
from app.jobs.runtime import WorkerRuntime

log = logging.getLogger("migrantkb.jobs")


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
