"""Search on the real Meilisearch (started by the suite) over the real seed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from meilisearch_python_sdk import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.search.admin import check_index, reindex
from app.seed import SEED_FILE
from tests.support.seeded import Seeded, app_client


@pytest.fixture
async def api(world: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(world) as (c, _):
        yield c


async def top(api: httpx.AsyncClient, q: str, n: int = 3, **params: str) -> list[str]:
    r = await api.get("/v1/search", params={"q": q, "limit": str(n), **params})
    assert r.status_code == 200, r.text
    assert r.json()["degraded"] is False
    return [h["slug"] for h in r.json()["hits"]]


@pytest.mark.parametrize(
    "q", ["закон о внешней миграции", "Тышкы миграция", "zakon o vneshnei migratsii", "externl migration"]
)
async def test_example_queries_find_the_law(api: httpx.AsyncClient, q: str) -> None:
    assert "law-kg-external-migration-2000" in await top(api, q)


async def test_plain_cyrillic_finds_special_letters(api: httpx.AsyncClient) -> None:
    # "казак" typed without қ finds the records whose Kazakh text says "Қазақ(стан)".
    r = await api.get("/v1/search", params={"q": "казак", "limit": "3", "lang": "kk"})
    for hit in r.json()["hits"]:
        assert hit["title_lang"] == "kk" and "Қазақ" in hit["title"], hit
    assert (await top(api, "халыктын коши-коны туралы"))[0] == "law-kz-population-migration-2011"


async def test_uzbek_apostrophes_are_one(api: httpx.AsyncClient) -> None:
    results = [
        await top(api, f"{word} mehnat migratsiyasi", 5)
        for word in ("o'zbekiston", "oʻzbekiston", "ozbekiston")
    ]
    assert results[0] == results[1] == results[2]
    assert any(slug.startswith(("law-uz", "pol-uz")) for slug in results[0][:3])


async def test_hit_shape_facets_and_language(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/search", params={"q": "беженцы", "lang": "ru", "limit": "5"})
    body = r.json()
    assert r.headers["x-search-degraded"] == "false"
    assert set(body) == {"query", "total", "hits", "facets", "processing_ms", "degraded", "suggestion"}
    assert set(body["facets"]) == {"kind", "country", "topic", "status", "year"}
    assert sum(body["facets"]["kind"].values()) == body["total"]
    hit = body["hits"][0]
    assert hit["title_lang"] == "ru" and 0 < hit["score"] <= 1
    assert set(hit) >= {"kind", "id", "slug", "title", "snippet", "countries", "topics", "date", "score"}


async def test_filters(api: httpx.AsyncClient) -> None:
    r = (
        await api.get("/v1/search", params={"q": "migration", "kind": "law", "country": "KG", "limit": "50"})
    ).json()
    assert r["hits"] and all(h["kind"] == "law" and "KG" in h["countries"] for h in r["hits"])
    dated = (
        await api.get(
            "/v1/search", params={"q": "", "kind": "law", "from": "2010", "to": "2015", "limit": "50"}
        )
    ).json()
    assert dated["hits"] and all(2010 <= int(h["date"][:4]) <= 2015 for h in dated["hits"])


@pytest.mark.parametrize(
    "params",
    [
        {"country": 'KG" OR kind = "organization'},
        {"country": "KG) OR (kind = law"},
        {"topic": 'labour-migration" OR topics EXISTS OR "'},
        {"topic": 'a\\" OR 1=1'},
        {"kind": "law OR kind = organization"},
        {"status": "in_force) OR (status EXISTS"},
        {"from": "2000 OR year > 0"},
    ],
)
async def test_filter_injection_is_rejected(api: httpx.AsyncClient, params: dict[str, str]) -> None:
    r = await api.get("/v1/search", params={"q": "migration", **params})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


async def test_quotes_in_the_query_are_only_words(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/search", params={"q": '"закон" OR (kind = "organization") \\', "kind": "law"})
    assert r.status_code == 200 and all(h["kind"] == "law" for h in r.json()["hits"])


async def test_suggest_completes_names_and_acronyms(api: httpx.AsyncClient) -> None:
    r = (await api.get("/v1/search/suggest", params={"q": "Internat"})).json()
    assert "org-iom" in [s["slug"] for s in r["suggestions"]]
    r = (await api.get("/v1/search/suggest", params={"q": "UNHC"})).json()
    assert r["suggestions"][0]["slug"] == "org-unhcr-central-asia"


async def test_index_matches_postgres_and_reindex_swaps(
    world: tuple[async_sessionmaker[AsyncSession], AsyncClient, str],
) -> None:
    factory, index = world
    async with factory() as session:
        assert (await check_index(session, index)).clean
        count = await reindex(session, index)
        assert count == len(SEED_FILE.read_text(encoding="utf-8").splitlines())
        assert (await check_index(session, index)).clean
    assert index.uid in {i.uid for i in await index.client.get_indexes() or []}


async def test_events_and_publications_are_found_like_any_record(api: httpx.AsyncClient) -> None:
    # The Russian title is the seed's machine translation; the English one is the dataset's.
    assert "ev-tspc-roundtable-big-public-council-2013-04-11" in await top(
        api, "круглый стол Большой общественный совет по миграции", 3
    )
    assert (await top(api, "customs union accession research", 3, kind="publication"))[0] == (
        "pub-tspc-customs-union-accession-research-2014"
    )
    # A type named in another language: "тренинг" (a training) finds the seed's trainings.
    trainings = await top(api, "тренинг", 5, kind="event")
    assert trainings and set(trainings) <= {
        "ev-tspc-cam-training-issyk-kul-2014-05",
        "ev-lprc-icj-trainings-migrants-law-2019",
    }
    facets = (await api.get("/v1/search", params={"q": "", "facets": "kind"})).json()["facets"]["kind"]
    assert facets["event"] == 11 and facets["publication"] == 10
    dated = (
        await api.get("/v1/search", params={"q": "", "kind": "event", "from": "2013", "to": "2013"})
    ).json()
    assert dated["total"] == 4 and all(h["date"].startswith("2013") for h in dated["hits"])
