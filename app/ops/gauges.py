"""Background work in /metrics: attachments by extraction state, jobs by queue and status. Read from
PostgreSQL every few seconds by each API process (the worker is another process)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.observability import ATTACHMENTS, JOBS
from app.jobs import catalog
from app.models import Attachment
from app.models.attachment import EXTRACTION_STATES
from app.search.loop import pause

log = logging.getLogger("migrantkb.gauges")
JOB_STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
_JOBS = text("SELECT queue_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2")


async def refresh_gauges(session: AsyncSession) -> None:
    counted = await session.execute(
        select(Attachment.extraction_state, func.count()).group_by(Attachment.extraction_state)
    )
    states: dict[str, int] = {state: n for state, n in counted.all()}
    for state in EXTRACTION_STATES:
        ATTACHMENTS.labels(state=state).set(states.get(state, 0))
    jobs = {(q, s): n for q, s, n in (await session.execute(_JOBS)).all()}
    for queue in {q for q, _ in jobs} | set(catalog.queues()):
        for status in JOB_STATUSES:
            JOBS.labels(queue=queue, status=status).set(jobs.get((queue, status), 0))


async def keep_gauges(
    sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event, every: float = 15.0
) -> None:
    while not stop.is_set():
        try:
            async with sessionmaker() as session:
                await refresh_gauges(session)
        except Exception as exc:  # the database away: the gauges keep their last values
            log.debug("gauges not refreshed: %s", exc.__class__.__name__)
        await pause(stop, every)
