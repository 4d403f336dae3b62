"""What the commands share: the database they use, a session that commits, the Meilisearch client;
and the one place that writes the settings `dev`'s child processes inherit through os.environ."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.db import make_engine, make_sessionmaker
from app.runtime.postgres import ensure_database, resolve_database_url
from app.search.index import SearchIndex

T = TypeVar("T")


def database_url(*, create: bool = False) -> str:
    """The database to use; created if missing only by the commands that set one up (a typo in
    DATABASE_URL elsewhere is an error, not a new empty database)."""
    url = resolve_database_url(get_settings())
    if create:
        ensure_database(url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def use_meili(url: str, master_key: str) -> None:
    """The Meilisearch `dev` started, for this process and the ones it starts."""
    os.environ["MEILI_URL"] = url
    os.environ["MEILI_MASTER_KEY"] = master_key
    get_settings.cache_clear()


async def with_session(fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = make_engine(get_settings().database_url or "", pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            result = await fn(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def search_index() -> SearchIndex:
    """The configured search index (client and uid); the caller closes it (`aclose`)."""
    index = SearchIndex.from_settings(get_settings(), timeout=30)
    if index is None:
        raise typer.BadParameter("set MEILI_URL (and MEILI_MASTER_KEY) to the Meilisearch to use")
    return index
