"""Subscriptions: made by editors (the secret shown once), seen and changed by their owner (admins:
all of them), their delivery log, and replay from a feed cursor."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, Unprocessable, field_error
from app.keys.service import Viewer
from app.models import Change, Topic, Webhook, WebhookDelivery
from app.webhooks.delivery import new_secret, queue_delivery
from app.webhooks.schemas import WebhookIn, WebhookPatch
from app.webhooks.targets import Allowed, Refused, resolve


def body(hook: Webhook, secret: bool = False) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "kinds": list(hook.kinds),
        "actions": list(hook.actions),
        "countries": list(hook.countries),
        "topics": list(hook.topics),
        "q": hook.query,
        "enabled": hook.enabled,
        "disabled_reason": hook.disabled_reason,
        "cursor": hook.cursor,
        "failing_since": hook.failing_since,
        "created_at": hook.created_at,
        "secret": hook.secret if secret else None,
    }


class WebhookService:
    def __init__(self, session: AsyncSession, viewer: Viewer, settings: Settings) -> None:
        self.session = session
        self.viewer = viewer
        self.settings = settings

    async def _check(self, url: str | None, topics: list[str] | None) -> None:
        errors = []
        if url is not None:
            try:
                await resolve(url, Allowed.parse(self.settings.webhook_allowed_hosts))
            except Refused as exc:
                errors.append(field_error(["url"], str(exc), "url"))
        if topics:
            known = set(await self.session.scalars(select(Topic.slug).where(Topic.slug.in_(topics))))
            errors += [
                field_error(["topics", i], f"unknown topic {t!r}; see /v1/topics", "topic")
                for i, t in enumerate(topics)
                if t not in known
            ]
        if errors:
            raise Unprocessable(errors)

    async def create(self, payload: WebhookIn) -> Webhook:
        await self._check(payload.url, payload.topics)
        # From now on: the feed's current end is where the subscription starts.
        last = await self.session.scalar(select(func.coalesce(func.max(Change.seq), 0)))
        hook = Webhook(
            id=uuid.uuid4(),
            key_id=self.viewer.key_id,
            url=payload.url,
            kinds=list(dict.fromkeys(payload.kinds)),
            actions=list(dict.fromkeys(payload.actions)),
            countries=list(dict.fromkeys(payload.countries)),
            topics=list(dict.fromkeys(payload.topics)),
            query=(payload.q or "").strip() or None,
            secret=new_secret(),
            cursor=int(last or 0),
            enabled=True,
        )
        self.session.add(hook)
        await self.session.flush()
        await self.session.refresh(hook)
        return hook

    def _mine(self) -> Any:
        return true() if self.viewer.may("admin") else Webhook.key_id == self.viewer.key_id

    async def page(self, limit: int, after: uuid.UUID | None) -> tuple[list[Webhook], int]:
        conds = [self._mine()]
        total = await self.session.scalar(select(func.count()).select_from(Webhook).where(*conds))
        if after is not None:
            conds.append(Webhook.id > after)
        rows = await self.session.scalars(select(Webhook).where(*conds).order_by(Webhook.id).limit(limit + 1))
        return list(rows), int(total or 0)

    async def get(self, webhook_id: uuid.UUID) -> Webhook:
        hook = await self.session.scalar(select(Webhook).where(Webhook.id == webhook_id, self._mine()))
        if hook is None:
            raise NotFound(f"No webhook {webhook_id} of yours.")
        return hook

    async def patch(self, webhook_id: uuid.UUID, patch: WebhookPatch) -> Webhook:
        hook = await self.get(webhook_id)
        await self._check(patch.url, patch.topics)
        for name in ("url", "kinds", "actions", "countries", "topics"):
            value = getattr(patch, name)
            if value is not None:
                setattr(hook, name, value if name == "url" else list(dict.fromkeys(value)))
        if patch.q is not None:
            hook.query = patch.q.strip() or None
        if patch.enabled is not None:
            if patch.enabled and not hook.enabled:
                hook.disabled_reason = hook.failing_since = hook.retry_at = None
            hook.enabled = patch.enabled
        hook.updated_at = func.now()
        if hook.enabled:
            await queue_delivery(self.session, hook.id)
        await self.session.flush()
        await self.session.refresh(hook)
        return hook

    async def delete(self, webhook_id: uuid.UUID) -> None:
        hook = await self.get(webhook_id)
        await self.session.delete(hook)
        await self.session.flush()

    async def deliveries(
        self, webhook_id: uuid.UUID, limit: int, before: int | None
    ) -> tuple[list[WebhookDelivery], int]:
        await self.get(webhook_id)
        conds: list[Any] = [WebhookDelivery.webhook_id == webhook_id]
        total = await self.session.scalar(select(func.count()).select_from(WebhookDelivery).where(*conds))
        if before is not None:
            conds.append(WebhookDelivery.id < before)
        rows = await self.session.scalars(
            select(WebhookDelivery).where(*conds).order_by(WebhookDelivery.id.desc()).limit(limit + 1)
        )
        return list(rows), int(total or 0)

    async def replay(self, webhook_id: uuid.UUID, since: int) -> Webhook:
        """Sends again every change after `since` (the same `webhook-id`s as the first time)."""
        hook = await self.get(webhook_id)
        hook.cursor = since
        hook.failing_since = hook.retry_at = None
        if hook.enabled:
            await queue_delivery(self.session, hook.id)
        await self.session.flush()
        await self.session.refresh(hook)
        return hook
