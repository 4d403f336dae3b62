"""Search inside attached documents: a record found by words on a page of its files carries the
attachment, the page and a snippet; it ranks with (below) records found by their own fields;
`in=documents` searches file text only; the chunks follow their record out of the index."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.search.admin import check_index
from app.search.index import chunk_id, parse_chunk_id
from tests.support import documents
from tests.support.factories import create
from tests.support.fixtures import Desk
from tests.support.servers import run_jobs

MERGE = {"Content-Type": "application/merge-patch+json"}


def test_a_chunk_id_names_its_attachment_page_and_piece() -> None:
    attachment = uuid.uuid4()
    assert chunk_id(attachment, 3, 0) == f"doc_{attachment.hex}_3_0"
    assert parse_chunk_id(chunk_id(attachment, 3, 12)) == (attachment, 3, 12)
    for other in (str(attachment), f"doc_{attachment.hex}_3", "doc_xyz_1_2", f"rec_{attachment.hex}_1_2"):
        assert parse_chunk_id(other) is None, other


async def make(api: httpx.AsyncClient, editor: dict[str, str], kind: str, **body: Any) -> dict[str, Any]:
    from tests.support.factories import BUILDERS, PLURAL

    r = await api.post(f"/v1/{PLURAL[kind]}", json=BUILDERS[kind](**body), headers=editor)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def attach(api: httpx.AsyncClient, editor: dict[str, str], path: str, content: bytes) -> dict[str, Any]:
    r = await api.post(
        f"{path}/attachments",
        files={"file": ("doc.pdf", content)},
        data={"languages": ["ru"]},
        headers=editor,
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def search(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await api.get("/v1/search", params=params)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_words_inside_documents_find_their_record(stack: dict[str, Any], database_url: str) -> None:
    api, editor, indexer = stack["api"], stack["editor"], stack["indexer"]
    own = await make(api, editor, "law", title={"ru": "Закон о квоте иностранной рабочей силы"})
    filed = await make(api, editor, "publication", title={"en": "Annual report on the labour market"})
    pages = [
        "Введение. Обзор рынка труда за год.",
        "Раздел 2. Правительство ежегодно утверждает квоту на привлечение иностранной рабочей силы.",
        "Раздел 3. Приложения и таблицы.",
    ]
    made = await attach(api, editor, f"/v1/publications/{filed['slug']}", documents.text_pdf(pages))
    # A second file with the word, so the record has many matching chunks: it is still one hit.
    await attach(api, editor, f"/v1/publications/{filed['slug']}", documents.text_pdf(["Квота. " * 50]))
    await run_jobs(database_url)
    await indexer.drain()

    found = await search(api, q="иностранной рабочей силы")
    assert [h["slug"] for h in found["hits"]] == [own["slug"], filed["slug"]]  # own fields rank first
    assert found["total"] == 2 and found["facets"]["kind"] == {"law": 1, "publication": 1}
    assert found["hits"][0]["document"] is None
    document = found["hits"][1]["document"]
    assert document["attachment"] == made["id"] and document["page"] == 2
    assert "<em>иностранной</em> <em>рабочей</em> <em>силы</em>" in " ".join(document["snippet"].split())

    only = await search(api, q="иностранной рабочей силы", **{"in": "documents"})
    assert [h["slug"] for h in only["hits"]] == [filed["slug"]]
    assert (await search(api, q="Annual report labour market", **{"in": "documents"}))["hits"] == []

    # The chunks follow their record: unpublished, they leave; published again, they return.
    r = await api.patch(
        f"/v1/publications/{filed['slug']}", json={"publication": "draft"}, headers={**editor, **MERGE}
    )
    assert r.status_code == 200, r.text
    await indexer.drain()
    assert [h["slug"] for h in (await search(api, q="иностранной рабочей силы"))["hits"]] == [own["slug"]]
    async with stack["factory"]() as s:
        assert (await check_index(s, stack["index"])).clean
    r = await api.patch(
        f"/v1/publications/{filed['slug']}", json={"publication": "published"}, headers={**editor, **MERGE}
    )
    await indexer.drain()
    assert (await search(api, q="утверждает", **{"in": "documents"}))["hits"][0]["document"]["page"] == 2

    # The attachment removed: its words leave the index with it.
    r = await api.delete(f"/v1/publications/{filed['slug']}/attachments/{made['id']}", headers=editor)
    assert r.status_code == 204
    await indexer.drain()
    assert (await search(api, q="утверждает", **{"in": "documents"}))["hits"] == []
    async with stack["factory"]() as s:
        assert (await check_index(s, stack["index"])).clean


@pytest.mark.skipif(not __import__("shutil").which("tesseract"), reason="needs Debian's tesseract-ocr")
async def test_a_phrase_on_a_scanned_page_is_found(stack: dict[str, Any], database_url: str) -> None:
    api, editor, indexer = stack["api"], stack["editor"], stack["indexer"]
    law = await make(api, editor, "law", title={"en": "Decree on labour migration"})
    scan = documents.scanned_pdf(
        [
            ["Постановление правительства"],
            ["Статья 5", "Трудящиеся мигранты имеют право", "на медицинскую помощь"],
        ]
    )
    made = await attach(api, editor, f"/v1/laws/{law['slug']}", scan)
    await run_jobs(database_url)
    await indexer.drain()
    found = await search(api, q="мигранты медицинская помощь", **{"in": "documents"})
    assert [h["slug"] for h in found["hits"]] == [law["slug"]]
    assert found["hits"][0]["document"]["attachment"] == made["id"]
    assert found["hits"][0]["document"]["page"] == 2


async def test_degraded_search_reads_the_pages_in_postgresql(desk: Desk) -> None:
    """Meilisearch away: PostgreSQL finds the words in the extracted pages (inflected forms too)
    and says which page; `in=documents` keeps to document text; a draft's pages stay hidden."""
    client, editor = desk.client, desk.editor
    law = await create(client, editor, "law", title={"en": "Law on external migration"}, summary={})
    draft = await create(client, editor, "law", publication="draft")
    pages = "Общие положения\fСтатья 7. Трудовые мигранты имеют право на бесплатную юридическую помощь"
    for record in (law, draft):
        r = await client.post(
            f"/v1/laws/{record['slug']}/attachments",
            files={"file": ("zakon.txt", pages.encode())},
            data={"languages": ["ru"]},
            headers=editor,
        )
        assert r.status_code == 201, r.text
    await run_jobs(desk.database_url)

    for scope in ("documents", "all"):
        r = await client.get("/v1/search", params={"q": "трудовых мигрантов право", "in": scope})
        body = r.json()
        assert r.status_code == 200 and body["degraded"] is True, body
        assert [h["slug"] for h in body["hits"]] == [law["slug"]], body
        document = body["hits"][0]["document"]
        assert document["page"] == 2
        assert "<em>Трудовые</em> <em>мигранты</em>" in document["snippet"]
    r = await client.get("/v1/search", params={"q": "external migration", "in": "documents"})
    assert r.json()["hits"] == []  # the words are in the record's title, not in its documents
    r = await client.get("/v1/search", params={"q": "external migration"})
    assert [h["slug"] for h in r.json()["hits"]] == [law["slug"]]
    assert r.json()["hits"][0]["document"] is None


async def test_totals_and_facets_count_records_not_pages(stack: dict[str, Any], database_url: str) -> None:
    """A law whose 40-page PDF names the word on every page is one record in `total` and in the
    facet counts, whatever the page size (Meilisearch's limit/offset count of a distinct attribute
    counts the pages beyond the hits returned); the total is never fewer than the hits shown."""
    api, editor, indexer = stack["api"], stack["editor"], stack["indexer"]
    law = await make(api, editor, "law", title={"en": "Labour code"}, countries=["KG"])
    policy = await make(api, editor, "policy", title={"en": "Strategy on remittances"}, countries=["KZ"])
    pages = [f"Page {n}. Remittances sent home by seasonal workers, table {n}." for n in range(1, 41)]
    await attach(api, editor, f"/v1/laws/{law['slug']}", documents.text_pdf(pages))
    await run_jobs(database_url)
    await indexer.drain()
    chunks = await stack["client"].index(stack["uid"]).search("", filter="part = document", limit=0)
    assert chunks.estimated_total_hits >= 40  # the pages really are in the index, one hit each record

    for params in ({}, {"limit": 1}, {"limit": 1, "offset": 1}, {"in": "documents", "limit": 1}):
        found = await search(api, q="remittances", facets="kind,country", **params)
        expected = 1 if params.get("in") else 2
        assert found["total"] == expected, (params, found["total"])
        assert sum(found["facets"]["kind"].values()) == expected, (params, found["facets"])
        assert found["facets"]["country"]["KG"] == 1, (params, found["facets"])
        assert found["total"] >= params.get("offset", 0) + len(found["hits"])
    assert {h["slug"] for h in (await search(api, q="remittances"))["hits"]} == {law["slug"], policy["slug"]}
