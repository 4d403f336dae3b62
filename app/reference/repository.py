from __future__ import annotations

from collections.abc import Sequence

from cachetools import TTLCache
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Country, Record, Topic, visible

# The vocabulary's labels change when an admin adds a topic (this process forgets them then): a
# page may name a new topic by its slug for this long, and saves a round trip on every page.
_LABELS: TTLCache[str, dict[str, dict[str, str]]] = TTLCache(maxsize=1, ttl=60)


class ReferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _counts(self, column: str) -> dict[str, int]:
        value = func.unnest(getattr(Record, column)).label("value")
        sub = select(value).where(visible()).subquery()
        rows = await self.session.execute(select(sub.c.value, func.count()).group_by(sub.c.value))
        return {v: n for v, n in rows.all()}

    async def countries(self) -> tuple[Sequence[Country], dict[str, int]]:
        rows = (await self.session.execute(select(Country).order_by(Country.code))).scalars().all()
        return rows, await self._counts("countries")

    async def topics(self) -> tuple[Sequence[Topic], dict[str, int]]:
        rows = (
            (await self.session.execute(select(Topic).order_by(Topic.position, Topic.slug))).scalars().all()
        )
        return rows, await self._counts("topics")

    async def topic_labels(self, *, cached: bool = True) -> dict[str, dict[str, str]]:
        """Each topic's labels by language, by slug. `cached=False` for what must see a topic the
        moment it exists (the indexer, webhooks' words): they read once a batch, not once a page."""
        if cached and (known := _LABELS.get("labels")) is not None:
            return known
        rows = await self.session.execute(
            select(Topic.slug, Topic.labels).order_by(Topic.position, Topic.slug)
        )
        _LABELS["labels"] = labels = {slug: dict(labels or {}) for slug, labels in rows}
        return labels

    async def topic(self, slug: str) -> Topic | None:
        return await self.session.get(Topic, slug)

    async def add_topic(self, topic: Topic) -> None:
        self.session.add(topic)
        await self.session.flush()
        _LABELS.clear()

    async def next_position(self) -> int:
        return (
            int((await self.session.execute(select(func.coalesce(func.max(Topic.position), 0)))).scalar_one())
            + 1
        )
