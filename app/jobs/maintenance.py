"""The queue's own upkeep, run by every worker: jobs of a worker that died (no heartbeat for
`stalled_worker_timeout`) go back to the queue, so a killed worker never leaves a job stuck."""

from __future__ import annotations

import logging

from procrastinate import JobContext

from app.jobs.queue import queue

log = logging.getLogger("migrantkb.jobs")


@queue.periodic(cron="* * * * *", periodic_id="retry_stalled")
@queue.task(name="retry_stalled_jobs", queue="maintenance", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs())
    for job in stalled:
        log.warning("job %s (%s) of a stopped worker goes back to the queue", job.id, job.task_name)
        await manager.retry_job(job)
    return len(stalled)
