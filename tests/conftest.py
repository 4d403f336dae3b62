"""A throwaway database per test run, built by the Alembic migrations; a transaction per test,
rolled back; an httpx client on the app. PostgreSQL is the real server."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.core.db import make_engine
from app.keys.service import KeyService
from app.main import create_app
from app.runtime.meili import MeiliProcess, start_local
from app.runtime.migrations import run_migrations
from app.runtime.postgres import create_database, drop_database, resolve_database_url
from app.search.client import meili_client
from app.search.index import SearchIndex
from app.search.sync import Indexer
from app.seed import SEED_FILE
from tests.support.fixtures import Desk, QueryCounter, key_headers
from tests.support.seeded import Seeded, local_meili, seeded_index
from tests.support.servers import empty_tables

# Attachment files of this run (the app's and the servers' it starts) in a directory of its own.
os.environ["FILES_DIR"] = tempfile.mkdtemp(prefix="mkb-test-files-")
get_settings.cache_clear()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    import asyncio

    settings = get_settings()
    server_url = resolve_database_url(settings)
    # Named after DATABASE_NAME (migrantkb by default), as the benches' are: runs beside each
    # other's can keep to names of their own.
    name = f"{settings.database_name}_test_{os.getpid()}_{secrets.token_hex(3)}"
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(create_database(url))
    run_migrations(url)
    os.environ["MIGRANTKB_TEST_DATABASE_URL"] = url
    yield url
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def meili(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeiliProcess]:
    """A Meilisearch of the module's own (the modules that search start one each)."""
    with local_meili(tmp_path_factory.mktemp("meili")) as process:
        yield process


@pytest.fixture(scope="module")
async def world(engine: AsyncEngine, meili: MeiliProcess) -> AsyncIterator[Seeded]:
    """The seed, committed and indexed once for the module; emptied afterwards."""
    async with seeded_index(engine, meili) as seeded:
        yield seeded


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield conn
        await outer.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Every session joins the test's transaction; its commits become savepoint releases.
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def queries(connection: AsyncConnection) -> Iterator[QueryCounter]:
    counter = QueryCounter()

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            counter.statements.append(statement)

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", before)
    yield counter
    event.remove(sync, "before_cursor_execute", before)


@pytest.fixture
async def client(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app()
    app.state.services.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def seeded(client: httpx.AsyncClient, editor: dict[str, str]) -> httpx.AsyncClient:
    """The client on a base holding the whole seed (imported in the test's transaction)."""
    r = await client.post(
        "/v1/import",
        content=SEED_FILE.read_bytes(),
        headers={**editor, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    return client


@pytest.fixture
async def editor(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    return await key_headers(sessionmaker, "editor")


@pytest.fixture
async def admin(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    return await key_headers(sessionmaker, "admin")


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit, for behaviour that depends on other transactions seeing the data
    (the change feed). The tables are emptied afterwards."""
    factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    yield factory
    await empty_tables(engine)


@pytest.fixture
async def editor_committed(committed: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """An editor key that other connections (a worker, a server process) see."""
    return await key_headers(committed, "editor")


@pytest.fixture
async def committed_client(committed: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app()
    app.state.services.sessionmaker = committed
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def stack(committed: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """The app on committed data with its own Meilisearch (a new index), an editor key and an
    indexer to drain by hand."""
    meili = start_local(tmp_path / "meili")
    uid = f"records_{secrets.token_hex(4)}"
    client = meili_client(meili.url, meili.master_key, timeout=2)  # the app's own client
    app = create_app(get_settings().model_copy(update={"meili_index": uid}))
    app.state.services.sessionmaker = committed
    index = app.state.services.search = SearchIndex(client, uid)
    async with committed() as s:
        _, token = await KeyService(s).create("sync test", "editor")
        await s.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as api:
        yield {
            "api": api,
            "meili": meili,
            "client": client,
            "uid": uid,
            "index": index,
            "factory": committed,
            "editor": {"Authorization": f"Bearer {token}"},
            "indexer": Indexer(committed, index),
        }
    await client.aclose()
    meili.stop()


@pytest.fixture
def desk(
    committed_client: httpx.AsyncClient,
    committed: async_sessionmaker[AsyncSession],
    database_url: str,
    editor_committed: dict[str, str],
) -> Desk:
    return Desk(committed_client, editor_committed, committed, database_url)
