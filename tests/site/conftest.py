"""The pages on the real seed, committed once for the module and filed in a real Meilisearch."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.keys.service import KeyService
from app.search.index import SearchIndex
from tests.support.seeded import Seeded, app_client


@pytest.fixture
async def site(world: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    """A browser's client: it asks for HTML."""
    async with app_client(world, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}) as (c, _):
        yield c


@pytest.fixture
async def editor_key(world: tuple[async_sessionmaker[AsyncSession], SearchIndex]) -> dict[str, str]:
    factory, _ = world
    async with factory() as s:
        _, token = await KeyService(s).create("site test", "editor")
        await s.commit()
    return {"Authorization": f"Bearer {token}"}
