from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Country, Record, Topic, visible


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

    async def topic(self, slug: str) -> Topic | None:
        return await self.session.get(Topic, slug)

    async def add_topic(self, topic: Topic) -> None:
        self.session.add(topic)
        await self.session.flush()

    async def next_position(self) -> int:
        return (
            int((await self.session.execute(select(func.coalesce(func.max(Topic.position), 0)))).scalar_one())
            + 1
        )
