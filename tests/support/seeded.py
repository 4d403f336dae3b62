"""The real seed, committed once and filed in a real Meilisearch, and an app client on it: the
module fixtures of the search and page tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
from meilisearch_python_sdk import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.main import create_app
from app.runtime.meili import MeiliProcess, start_local
from app.search.index import SearchIndex
from app.search.sync import Indexer
from app.search.vectors import VectorWorker
from app.seed import load_seed
from tests.support.servers import empty_tables

Seeded = tuple[async_sessionmaker[AsyncSession], SearchIndex]


@contextmanager
def local_meili(directory: Path) -> Iterator[MeiliProcess]:
    process = start_local(directory)
    try:
        yield process
    finally:
        process.stop()


@asynccontextmanager
async def seeded_index(
    engine: AsyncEngine, meili: MeiliProcess, *, vectors: bool = False
) -> AsyncIterator[Seeded]:
    """The seed committed and indexed (with every record's vector when `vectors`); emptied after."""
    factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    async with factory() as session:
        await load_seed(session)
        await session.commit()
    async with AsyncClient(meili.url, meili.master_key) as client:
        index = SearchIndex(client, f"records_{secrets.token_hex(4)}")
        await Indexer(factory, index).drain()
        if vectors:
            threads = get_settings().embedding_threads
            assert await VectorWorker(factory, index, threads=threads).drain() > 0
        yield factory, index
    await empty_tables(engine)


@asynccontextmanager
async def app_client(
    seeded: Seeded, *, settings: dict[str, Any] | None = None, **client: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """An in-process client of the app on the seeded base and index (`settings` overrides); the
    app's services come with it so a test can put its own beside them."""
    factory, index = seeded
    app = create_app(get_settings().model_copy(update={"meili_index": index.uid, **(settings or {})}))
    app.state.services.sessionmaker = factory
    app.state.services.search = index
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", **client
    ) as c:
        yield c, app.state.services
