from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ApiKey


class KeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        result = await self.session.execute(select(ApiKey).where(ApiKey.prefix == prefix))
        return result.scalar_one_or_none()

    async def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        await self.session.flush()
        return key

    async def all(self) -> Sequence[ApiKey]:
        return (await self.session.execute(select(ApiKey).order_by(ApiKey.created_at))).scalars().all()

    async def revoke(self, key_id: uuid.UUID, at: dt.datetime) -> bool:
        result = await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def touch(self, key_id: uuid.UUID, at: dt.datetime) -> None:
        """Record use, at most once a minute per key, and never wait on a row another request holds:
        the time is a hint, not worth serialising requests that share a key."""
        row = (
            select(ApiKey.id)
            .where(ApiKey.id == key_id)
            .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < at - dt.timedelta(minutes=1)))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        await self.session.execute(update(ApiKey).where(ApiKey.id == row).values(last_used_at=at))
