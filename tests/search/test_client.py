"""The Meilisearch client keeps its connections and asks for answers in one piece: on a kept
connection a compressed (chunked) answer arrived about 40 ms late (app/search/client.py). Its
transport (aiohttp, app/search/transport.py) fails the way httpx2's did, so the SDK's errors and
the search's fallback to PostgreSQL stay the same: each failure below is caused for real (a port
nobody listens on, a server that never answers, one that hangs up)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from meilisearch_python_sdk.errors import MeilisearchCommunicationError

from app.runtime.meili import MeiliProcess, free_port
from app.search.client import meili_client
from app.search.index import UNREACHABLE, SearchIndex


async def test_searches_reuse_one_connection_and_get_uncompressed_answers(meili: MeiliProcess) -> None:
    client = meili_client(meili.url, meili.master_key)
    seen: list[tuple[Any, str | None, str | None]] = []

    async def record(response: httpx2.Response) -> None:
        local = response.extensions.get("client_addr")
        headers = response.headers
        seen.append((local, headers.get("content-encoding"), headers.get("transfer-encoding")))

    client.http_client.event_hooks["response"].append(record)
    try:
        index = client.index("client_reuse")
        docs = [{"id": i, "text": f"трудовой мигрант {i} mehnat muhojiri huquqlari " * 20} for i in range(40)]
        await client.create_index("client_reuse", primary_key="id", wait=True)
        task = await index.add_documents(docs)
        await client.wait_for_task(task.task_uid)
        seen.clear()
        for q in ("мигрант", "muhojiri", "huquqlari"):
            result = await index.search(q, limit=20)
            assert len(result.hits) == 20
        assert len(seen) == 3
        assert all(encoding is None for _, encoding, _ in seen), seen  # not gzip, not br
        assert all(transfer != "chunked" for *_, transfer in seen), seen
        assert seen[0][0] is not None and len({local for local, *_ in seen}) == 1, seen  # one connection
    finally:
        await client.delete_index_if_exists("client_reuse")
        await client.aclose()


@asynccontextmanager
async def peer(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    """A TCP server on loopback that treats each connection with `handle`."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def test_a_port_nobody_listens_on_is_unreachable() -> None:
    client = meili_client(f"http://127.0.0.1:{free_port()}", "key", timeout=2)
    try:
        with pytest.raises(MeilisearchCommunicationError) as caught:
            await client.health()
        assert isinstance(caught.value.__cause__, httpx2.ConnectError)
        assert not await SearchIndex(client, "records").healthy()
    finally:
        await client.aclose()


async def test_a_server_that_never_answers_times_out_as_unreachable() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(30)

    async with peer(silent) as url:
        client = meili_client(url, "key", timeout=1)
        try:
            started = time.monotonic()
            with pytest.raises(UNREACHABLE) as caught:
                await client.health()
            assert time.monotonic() - started < 5  # the read timeout, not the peer's 30 s
            assert isinstance(caught.value.__cause__, httpx2.ReadTimeout)
        finally:
            await client.aclose()


async def test_a_server_that_hangs_up_is_unreachable() -> None:
    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.close()

    async with peer(rude) as url:
        client = meili_client(url, "key", timeout=2)
        try:
            with pytest.raises(MeilisearchCommunicationError) as caught:
                await client.health()
            assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
        finally:
            await client.aclose()


async def test_one_client_on_two_event_loops(meili: MeiliProcess) -> None:
    """A CLI command may run several event loops one after another with one client."""
    client = meili_client(meili.url, meili.master_key)

    async def health() -> str:
        return (await client.health()).status

    assert await health() == "available"
    loop = asyncio.new_event_loop()
    try:
        assert await asyncio.to_thread(loop.run_until_complete, health()) == "available"
    finally:
        loop.close()
    assert await health() == "available"
    await client.aclose()
