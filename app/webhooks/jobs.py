"""The webhooks' jobs: `deliver_webhook` runs a Deliverer (app/webhooks/delivery.py) for one
subscription, queued by the trigger on `changes` (see app/changes/outbox.py CONSUMERS), by the
webhooks service and by its own retries; `wake_webhooks` is the safety net under the trigger."""

from __future__ import annotations

import uuid

from procrastinate import JobContext
from sqlalchemy import func, select

from app.jobs.queue import queue
from app.jobs.runtime import WorkerRuntime
from app.models import Change, Webhook
from app.webhooks.delivery import QUEUE, TASK, Deliverer, queue_delivery


@queue.task(name=TASK, queue=QUEUE, pass_context=True)
async def deliver_webhook(context: JobContext, webhook_id: str) -> str:
    return await Deliverer(context.additional_context["runtime"]).run(uuid.UUID(webhook_id))


# Every minute: subscriptions behind the feed get a job (a safety net under the trigger).
@queue.periodic(cron="* * * * *", periodic_id="wake_webhooks")
@queue.task(name="wake_webhooks", queue="maintenance", pass_context=True)
async def wake_webhooks(context: JobContext, timestamp: int) -> int:
    runtime: WorkerRuntime = context.additional_context["runtime"]
    async with runtime.sessionmaker() as session:
        last = select(func.max(Change.seq)).where(Change.public | Change.public_before).scalar_subquery()
        behind = list(await session.scalars(select(Webhook.id).where(Webhook.enabled, Webhook.cursor < last)))
        for webhook_id in behind:
            await queue_delivery(session, webhook_id)
        await session.commit()
    return len(behind)
