"""The pages on the real seed, committed once for the module and filed in a real Meilisearch."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.keys.service import KeyService
from app.runtime.meili import MeiliProcess
from app.search.index import SearchIndex
from tests.support.seeded import Seeded, app_client, local_meili, seeded_index


@pytest.fixture(scope="module")
def meili(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeiliProcess]:
    with local_meili(tmp_path_factory.mktemp("meili")) as process:
        yield process


@pytest.fixture(scope="module")
async def world(engine: AsyncEngine, meili: MeiliProcess) -> AsyncIterator[Seeded]:
    async with seeded_index(engine, meili) as seeded:
        yield seeded


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
