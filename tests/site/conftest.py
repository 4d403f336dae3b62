"""The pages on the real seed, committed once for the module and filed in a real Meilisearch."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from meilisearch_python_sdk import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.keys.service import KeyService
from app.main import create_app
from app.runtime.meili import MeiliProcess, start_local
from app.search.index import SearchIndex
from app.search.sync import Indexer
from app.seed import load_seed
from tests.support.servers import empty_tables


@pytest.fixture(scope="module")
def meili(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeiliProcess]:
    process = start_local(tmp_path_factory.mktemp("meili"))
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def world(
    engine: AsyncEngine, meili: MeiliProcess
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], SearchIndex]]:
    factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    async with factory() as session:
        await load_seed(session)
        await session.commit()
    uid = f"records_{secrets.token_hex(4)}"
    async with AsyncClient(meili.url, meili.master_key) as client:
        index = SearchIndex(client, uid)
        await Indexer(factory, index).drain()
        yield factory, index
    await empty_tables(engine)


@pytest.fixture
async def site(
    world: tuple[async_sessionmaker[AsyncSession], SearchIndex],
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser's client: it asks for HTML."""
    factory, index = world
    app = create_app(get_settings().model_copy(update={"meili_index": index.uid}))
    app.state.services.sessionmaker = factory
    app.state.services.search = index
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    ) as c:
        yield c


@pytest.fixture
async def editor_key(world: tuple[async_sessionmaker[AsyncSession], SearchIndex]) -> dict[str, str]:
    factory, _ = world
    async with factory() as s:
        _, token = await KeyService(s).create("site test", "editor")
        await s.commit()
    return {"Authorization": f"Bearer {token}"}
