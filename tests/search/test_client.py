"""The Meilisearch client keeps its connections and asks for answers in one piece: on a kept
connection a compressed (chunked) answer arrived about 40 ms late (app/search/client.py)."""

from __future__ import annotations

from typing import Any

import httpx2

from app.runtime.meili import MeiliProcess
from app.search.client import meili_client


async def test_searches_reuse_one_connection_and_get_uncompressed_answers(meili: MeiliProcess) -> None:
    client = meili_client(meili.url, meili.master_key)
    seen: list[tuple[Any, str | None, str | None]] = []

    async def record(response: httpx2.Response) -> None:
        stream = response.extensions.get("network_stream")
        local = stream.get_extra_info("client_addr") if stream is not None else None
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
