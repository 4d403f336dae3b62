"""Delivering the public change feed to a subscription, as jobs on the queue.

`deliver_webhook(webhook_id)` reads the feed after the subscription's cursor, one change at a time:
a change its filters pass over only moves the cursor; one they take is POSTed, signed per the
Standard Webhooks spec (its library), and the cursor moves once the target answers 2xx. A failure
leaves the cursor where it is (the feed's order holds: nothing after it goes first), is logged, and
the job comes back after a backoff that doubles up to an hour; after WEBHOOK_GIVE_UP_HOURS of
failures the subscription is disabled with the reason. A retry carries the same `webhook-id`, so a
receiver that got a message twice (at-least-once: it answered after we gave up waiting) can tell.

Jobs are woken by a trigger on `changes` (one waiting job per subscription, one running: the
queue's locks), and every minute by `wake_webhooks` for any subscription that is behind; the tasks
are in app/webhooks/jobs.py. `queue_delivery` stays here: the Deliverer queues its own retries."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook as Signer

from app.changes.repository import ChangeRepository, public_action
from app.core.config import Settings
from app.core.http import dumps
from app.jobs.queue import defer
from app.jobs.runtime import WorkerRuntime
from app.keys.service import Viewer
from app.models import Change, Record, Webhook, WebhookDelivery
from app.records.service import RecordService
from app.reference.repository import ReferenceRepository
from app.registry import KINDS
from app.search.match import QueryMatcher
from app.webhooks.targets import Allowed, Refused, resolve

log = logging.getLogger("migrantkb.webhooks")

TASK = "deliver_webhook"
QUEUE = "webhooks"
BATCH = 50
JOB_SECONDS = 60.0  # a job gives the worker back after this long and queues its sequel
# Caught up, a job waits this long for more before it ends: under a stream of writes one job keeps
# delivering (its connection warm) instead of a new job starting for every few changes.
LINGER_SECONDS = 1.0
POLL_SECONDS = 0.05
MAX_BACKOFF = 3600.0
RESPONSE_CAP = 64 * 1024  # bytes of a target's answer read (and the first 500 kept on failure)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id(webhook_id: uuid.UUID, seq: int) -> str:
    return f"msg_{webhook_id.hex}_{seq}"


def backoff(attempt: int, base: float) -> float:
    return float(min(base * 2 ** max(attempt - 1, 0), MAX_BACKOFF))


async def queue_delivery(session: AsyncSession, webhook_id: uuid.UUID, at: dt.datetime | None = None) -> None:
    lock = f"webhook:{webhook_id}"
    await defer(
        session, TASK, {"webhook_id": str(webhook_id)}, queue_name=QUEUE, lock=lock, queueing_lock=lock, at=at
    )


def _matches(
    hook: Webhook,
    kind: str,
    action: str,
    record: Any,
    query: QueryMatcher | None,
    topic_labels: dict[str, dict[str, str]],
) -> bool:
    if hook.kinds and kind not in hook.kinds:
        return False
    if hook.actions and action not in hook.actions:
        return False
    if hook.countries and not set(hook.countries) & set(record.countries or []):
        return False
    if hook.topics and not set(hook.topics) & set(record.topics or []):
        return False
    if query is None:
        return True
    labels = [label for t in record.topics or [] for label in topic_labels.get(t, {}).values()]
    return query.matches(
        kind=kind,
        countries=record.countries or [],
        texts={"title": record.title, "summary": record.summary},
        labels=labels,
    )


async def public_records(session: AsyncSession, changes: list[Change]) -> dict[uuid.UUID, dict[str, Any]]:
    """The changes' records as the public sees them now (every language), a few queries per kind;
    records no longer public are left out."""
    by_kind: dict[str, list[uuid.UUID]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change.record_id)
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for kind, ids in by_kind.items():
        out.update(await RecordService(session, KINDS[kind], Viewer()).read_many(ids, "all"))
    return out


def payload(change: Change, action: str, record: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": f"{change.kind}.{action}",
        "timestamp": change.at.isoformat(),
        "data": {
            "seq": change.seq,
            "kind": change.kind,
            "id": str(change.record_id),
            "slug": change.slug,
            "action": action,
            "version": change.version,
            "at": change.at.isoformat(),
            "record": record,
        },
    }


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None
    latency_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def client(settings: Settings) -> httpx.AsyncClient:
    """One per job: its connections are reused from one message to the next."""
    return httpx.AsyncClient(
        timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
    )


async def send(
    settings: Settings, http: httpx.AsyncClient, hook: Webhook, msg_id: str, body: bytes
) -> Outcome:
    """One POST: the name resolved and checked, the checked address connected to, no redirects,
    the whole exchange within the timeout, the answer read to a small cap."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = await resolve(hook.url, Allowed.parse(settings.webhook_allowed_hosts))
    except Refused as exc:
        return Outcome(None, f"refused: {exc}", took())
    now = dt.datetime.now(dt.UTC)
    signature = Signer(hook.secret).sign(msg_id, now, body.decode())
    headers = {
        "host": target.host_header,
        "content-type": "application/json",
        "user-agent": "migrantkb-webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    extensions = {"sni_hostname": target.host} if target.url.startswith("https:") else {}
    try:
        async with (
            asyncio.timeout(settings.webhook_timeout_seconds),
            http.stream("POST", target.url, content=body, headers=headers, extensions=extensions) as r,
        ):
            read = bytearray()
            async for chunk in r.aiter_bytes():
                read += chunk
                if len(read) >= RESPONSE_CAP:
                    break
            status = r.status_code
    except TimeoutError:
        return Outcome(None, f"no answer within {settings.webhook_timeout_seconds:g} s", took())
    except httpx.HTTPError as exc:
        return Outcome(None, f"{exc.__class__.__name__}: {exc}"[:500], took())
    if 200 <= status < 300:
        return Outcome(status, None, took())
    reason = "a redirect (not followed)" if 300 <= status < 400 else f"HTTP {status}"
    text = bytes(read[:500]).decode("utf-8", "replace").strip()
    return Outcome(status, f"{reason}: {text}" if text else reason, took())


class Deliverer:
    def __init__(self, runtime: WorkerRuntime) -> None:
        self.settings = runtime.settings
        self.sessionmaker = runtime.sessionmaker
        self.http: httpx.AsyncClient

    async def run(self, webhook_id: uuid.UUID) -> str:
        async with client(self.settings) as http:
            self.http = http
            return await self._run(webhook_id)

    async def _run(self, webhook_id: uuid.UUID) -> str:
        deadline = time.monotonic() + JOB_SECONDS
        delivered = 0
        idle_since: float | None = None
        while time.monotonic() < deadline:
            async with self.sessionmaker() as session:
                hook = await session.get(Webhook, webhook_id)
                if hook is None or not hook.enabled:
                    return "disabled or gone"
                now = dt.datetime.now(dt.UTC)
                if hook.retry_at is not None and hook.retry_at > now:
                    await queue_delivery(session, webhook_id, at=hook.retry_at)
                    await session.commit()
                    return f"waiting until {hook.retry_at.isoformat()}"
                rows, _ = await ChangeRepository(session).after(
                    hook.cursor, BATCH, public_only=True, count=False
                )
                if not rows:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since >= LINGER_SECONDS:
                        return f"{delivered} delivered, caught up"
                    await session.close()
                    await asyncio.sleep(POLL_SECONDS)
                    continue
                idle_since = None
                records = {
                    r.id: r
                    for r in await session.execute(
                        select(
                            Record.id, Record.countries, Record.topics, Record.title, Record.summary
                        ).where(Record.id.in_({c.record_id for c in rows[:BATCH]}))
                    )
                }
                topic_labels = (
                    await ReferenceRepository(session).topic_labels(cached=False) if hook.query else {}
                )
                query = QueryMatcher.of(hook.query) if hook.query else None  # analysed once a batch
                wanted = []
                for change in rows[:BATCH]:
                    action = public_action(change)
                    record = records.get(change.record_id)
                    if (
                        action is not None
                        and record is not None
                        and _matches(hook, change.kind, action, record, query, topic_labels)
                    ):
                        wanted.append((change, action))
                shown = await public_records(session, [change for change, _ in wanted])
                # The batch's messages, built in one transaction; None: passed over.
                bodies = {
                    change.seq: dumps(payload(change, action, shown.get(change.record_id)))
                    for change, action in wanted
                }
                plan = [(change.seq, bodies.get(change.seq)) for change in rows[:BATCH]]
                await session.commit()  # none held open while targets take their time
                for seq, body in plan:
                    if body is None:
                        hook.cursor = seq  # saved with the next delivery, or below
                        continue
                    if not await self._attempt(session, hook, seq, body):
                        return "failed; retrying later" if hook.enabled else "disabled"
                    delivered += 1
                await session.commit()
        async with self.sessionmaker() as session:
            await queue_delivery(session, webhook_id)
            await session.commit()
        return f"{delivered} delivered, more to come"

    async def _attempt(self, session: AsyncSession, hook: Webhook, seq: int, body: bytes) -> bool:
        """Sends one change and records it, committing; whether it was delivered."""
        msg_id = message_id(hook.id, seq)
        before: int | None = 0
        if hook.failing_since is not None:  # a retry: count the attempts before it
            before = await session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.seq == seq)
            )
            await session.commit()
        attempt = int(before or 0) + 1
        outcome = await send(self.settings, self.http, hook, msg_id, body)
        session.add(
            WebhookDelivery(
                webhook_id=hook.id,
                seq=seq,
                message_id=msg_id,
                attempt=attempt,
                status_code=outcome.status,
                error=outcome.error,
                latency_ms=outcome.latency_ms,
                ok=outcome.ok,
            )
        )
        now = dt.datetime.now(dt.UTC)
        if outcome.ok:
            hook.cursor, hook.failing_since, hook.retry_at = seq, None, None
            await session.commit()
            return True
        hook.failing_since = hook.failing_since or now
        if now - hook.failing_since >= dt.timedelta(hours=self.settings.webhook_give_up_hours):
            since = f"{hook.failing_since:%Y-%m-%d %H:%M:%S} UTC"
            hook.enabled = False
            hook.disabled_reason = f"deliveries failed since {since}; the last: {outcome.error}"
            log.warning("webhook %s disabled: %s", hook.id, hook.disabled_reason)
        else:
            hook.retry_at = now + dt.timedelta(seconds=backoff(attempt, self.settings.webhook_retry_seconds))
            await queue_delivery(session, hook.id, at=hook.retry_at)
        await session.commit()
        return False
