"""Issue #24, "no 5xx, whatever comes in", against real `migrantkb serve` processes: an unhandled
error answers a problem+json 500 and leaves the keep-alive connection usable; a search outage
(Meilisearch unreachable, slow PostgreSQL fallback) never takes writes down; a deadlock on a write
is retried."""

from __future__ import annotations

import asyncio
import socket
import uuid

import asyncpg
import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import ApiKey
from app.runtime.meili import free_port
from tests.support.factories import BUILDERS
from tests.support.fixtures import key_headers
from tests.support.servers import api_key, api_server, empty_database, server_env


def _exchange(sock: socket.socket, path: str) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on an open connection, and its response read to its declared end."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection before answering {path}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return int(status_line.split()[1]), headers, body


def test_an_unhandled_error_keeps_the_connection(database_url: str) -> None:
    with api_server({**server_env(database_url), "ENVIRONMENT": "test"}) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            for _ in range(2):
                status, headers, body = _exchange(sock, "/_test/unhandled")
                assert status == 500 and headers["content-type"] == "application/problem+json", body
                assert b"on purpose" not in body  # the error's text is logged, never sent
                assert headers.get("connection") != "close"
                # The same connection serves the next request.
                status, _, body = _exchange(sock, "/healthz")
                assert status == 200, body


def _degraded_searches(client: httpx.AsyncClient, n: int) -> list[asyncio.Task[httpx.Response]]:
    """`n` searches at once; with Meilisearch away each runs in PostgreSQL and, while another
    transaction holds attachment_pages locked, waits there holding its pooled connection."""
    return [
        asyncio.create_task(client.get("/v1/search", params={"q": f"migration law {i}"})) for i in range(n)
    ]


async def _search_outage(url: str, editor: dict[str, str], dsn: str) -> None:
    # Attachment pages locked by another transaction: each PostgreSQL search (its documents part)
    # waits, as a scan over a large table would, and holds its pooled connection meanwhile.
    holder = await asyncpg.connect(dsn)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE attachment_pages IN ACCESS EXCLUSIVE MODE")
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                searches = _degraded_searches(client, 20)
                await asyncio.sleep(0.3)
                write = await client.post("/v1/laws", json=BUILDERS["law"](), headers=editor)
                read = await client.get("/v1/laws")
                answers = await asyncio.gather(*searches)
        assert write.status_code == 201, write.text
        assert read.status_code == 200 and read.json()["total"] == 1, read.text
        for r in answers:
            assert r.status_code == 503, r.text
            assert r.json()["type"].endswith("search-unavailable") and int(r.headers["Retry-After"]) > 0
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            after = await client.get("/v1/search", params={"q": "migration law"})
        assert after.status_code == 200 and after.headers["X-Search-Degraded"] == "true", after.text
        assert after.json()["total"] == 1
    finally:
        await holder.close()


def test_a_search_outage_never_takes_writes_down(database_url: str) -> None:
    """Meilisearch unreachable, a small pool, PostgreSQL searches that wait: they give up within
    their budget or at once past the concurrency limit (503 + Retry-After), never a 500, and a
    write and a read on the same server succeed meanwhile."""
    empty_database(database_url)
    env = {
        **server_env(database_url),
        "MEILI_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "DATABASE_POOL_SIZE": "4",
        "SEARCH_FALLBACK_CONCURRENCY": "2",
        "SEARCH_FALLBACK_SECONDS": "1",
        "SEARCH_EMBEDDINGS": "false",
    }
    editor = api_key(env, "editor", "outage")
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        with api_server(env) as url:
            asyncio.run(_search_outage(url, editor, dsn))
    finally:
        empty_database(database_url)


async def test_a_keys_last_use_is_kept_apart_from_the_write(
    committed_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    """The key's last-used time is written in a transaction of its own, not the write's: a write
    that fails and rolls back still records the use (and the write holds no lock on the key's row
    that the webhook trigger could deadlock on)."""
    first, second = await key_headers(committed, "editor"), await key_headers(committed, "editor")
    body = BUILDERS["law"]()
    assert (await committed_client.post("/v1/laws", json=body, headers=first)).status_code == 201
    clash = await committed_client.post("/v1/laws", json=body, headers=second)  # the same slug
    assert clash.status_code == 409, clash.text
    async with committed() as session:
        newest = select(ApiKey.last_used_at).order_by(ApiKey.created_at.desc()).limit(2)
        used = (await session.scalars(newest)).all()
    assert len(used) == 2 and all(used), used


def test_a_deadlock_answers_503_conflict_retry(database_url: str) -> None:
    """A real deadlock (the request's transaction and another connection taking two locks in
    opposite orders, on a real server): PostgreSQL rolls the request back; it answers 503
    conflict-retry with Retry-After, not a 500, and the server goes on serving."""
    env = {**server_env(database_url), "ENVIRONMENT": "test"}
    with api_server(env) as url, httpx.Client(base_url=url, timeout=30) as client:
        r = client.post("/_test/deadlock")
        assert r.status_code == 503, r.text
        assert r.json()["type"].endswith("conflict-retry") and int(r.headers["Retry-After"]) > 0
        assert client.get("/v1/laws").status_code == 200


async def _pool_exhausted(url: str, dsn: str) -> None:
    holder = await asyncpg.connect(dsn)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE attachment_pages IN ACCESS EXCLUSIVE MODE")
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                # Two degraded searches wait on the lock, each holding one of the two connections.
                searches = _degraded_searches(client, 2)
                waiting = (
                    "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    " AND relation = 'attachment_pages'::regclass"
                )
                for _ in range(100):  # until both wait on the lock, each with its connection
                    if await holder.fetchval(waiting) >= 2:
                        break
                    await asyncio.sleep(0.05)
                read = await client.get("/v1/laws")
                assert not any(s.done() for s in searches)  # the read met a full pool
                await asyncio.gather(*searches)
        assert read.status_code == 503, read.text
        assert read.headers["content-type"] == "application/problem+json"
        assert read.json()["type"].endswith("busy") and int(read.headers["Retry-After"]) > 0
    finally:
        await holder.close()


def test_a_full_pool_answers_503_busy(database_url: str) -> None:
    """Every pooled connection held by slow requests: another request waits the pool's timeout
    (DATABASE_POOL_TIMEOUT_SECONDS) and answers 503 busy with Retry-After, not a 500."""
    env = {
        **server_env(database_url),
        "MEILI_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "DATABASE_POOL_SIZE": "2",
        "DATABASE_POOL_TIMEOUT_SECONDS": "0.5",
        "SEARCH_FALLBACK_CONCURRENCY": "2",
        "SEARCH_FALLBACK_SECONDS": "4",
        "SEARCH_EMBEDDINGS": "false",
    }
    with api_server(env) as url:
        asyncio.run(_pool_exhausted(url, database_url.replace("postgresql+asyncpg://", "postgresql://")))


async def test_a_write_waiting_past_the_lock_timeout_answers_503(
    committed_client: httpx.AsyncClient, editor_committed: dict[str, str], database_url: str
) -> None:
    """A record's row held by another transaction past `lock_timeout` (5 s): PostgreSQL cancels the
    waiting update (55P03); the write answers 503 conflict-retry with Retry-After, not a 500, and
    once the row is free the same request succeeds."""
    made = await committed_client.post("/v1/laws", json=BUILDERS["law"](), headers=editor_committed)
    assert made.status_code == 201, made.text
    law = made.json()
    holder = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM records WHERE id = $1 FOR UPDATE", uuid.UUID(law["id"]))
            r = await committed_client.patch(
                f"/v1/laws/{law['id']}", json={"number": "42-held"}, headers=editor_committed
            )
        assert r.status_code == 503, r.text
        assert r.json()["type"].endswith("conflict-retry") and int(r.headers["Retry-After"]) > 0
    finally:
        await holder.close()
    again = await committed_client.patch(
        f"/v1/laws/{law['id']}", json={"number": "42-held"}, headers=editor_committed
    )
    assert again.status_code == 200 and again.json()["number"] == "42-held", again.text
