"""The pages for people, through the app as a browser reaches it: each answers HTML in the
reader's language with its permalink, alternates and switcher, shows what the JSON route it wraps
answers (the same hits, the same record), never shows a draft, and answers a bad address or a bad
parameter with an HTML 4xx page, never a 500."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from lxml import html as lxml_html
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.search.index import SearchIndex
from app.search.sync import Indexer
from tests.support.pages import frame, page

KG_LAW = "law-kg-external-labour-migration-2006"


async def test_home_picks_the_language_and_has_a_search_form(site: httpx.AsyncClient) -> None:
    r = await site.get("/", headers={"Accept-Language": "ky-KG,ky;q=0.9,ru;q=0.8,en;q=0.5"})
    doc = page(r, "ky")
    frame(doc, "ky", "/")
    assert "Accept-Language" in r.headers["vary"]
    form = doc.xpath("//form[@role='search']")[0]
    assert form.get("action") == "/ky/search" and form.get("method") == "get"
    assert doc.xpath("//form[@role='search']//input[@name='q']")
    assert doc.xpath("//label[@for='q']")  # a labelled box
    page(await site.get("/", headers={"Accept-Language": "de-DE"}), "en")  # none of ours: English
    page(await site.get("/tg/"), "tg")
    css = await site.get("/assets/site.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert "style-src 'self'" in r.headers["content-security-policy"]


async def test_a_russian_search_answers_a_russian_page_of_the_same_hits(site: httpx.AsyncClient) -> None:
    q = "трудовые мигранты"
    r = await site.get("/ru/search", params={"q": q})
    doc = page(r, "ru")
    frame(doc, "ru", "/search")
    api = (await site.get("/v1/search", params={"q": q, "lang": "ru"})).json()
    assert api["total"] > 10
    links = doc.xpath("//ol[@class='hits']//h3/a/@href")
    assert links == [f"/ru/{h['kind']}s/{h['slug']}".replace("policys", "policies") for h in api["hits"]]
    titles = doc.xpath("//ol[@class='hits']//h3/a/text()")
    assert titles == [h["title"] for h in api["hits"]]
    assert any("мигрант" in t.lower() for t in titles)
    assert doc.xpath("//p[@class='snippet']/mark")  # highlights kept, as <mark>
    assert f"Найдено: {api['total']}" in r.text
    # The API call it wraps, and the feed to follow it.
    json_link = doc.xpath("//a[@class='api']/@href")[0]
    assert urlsplit(json_link).path == "/v1/search"
    assert dict(parse_qsl(urlsplit(json_link).query)) == {"q": q, "lang": "ru"}
    feed = doc.xpath("//link[@type='application/atom+xml']/@href")[0]
    assert urlsplit(feed).path == "/v1/feeds/search.atom" and dict(parse_qsl(urlsplit(feed).query))["q"] == q
    # Facets as links that narrow the search; the page they lead to counts what the facet said.
    kg = doc.xpath("//a[@data-facet='country'][@data-value='KG']")[0]
    count = int(kg.getnext().text)
    assert kg.text == "Киргизия"
    narrowed = page(await site.get(kg.get("href")), "ru")
    assert f"Найдено: {count}" in lxml_html.tostring(narrowed, encoding="unicode")
    assert narrowed.xpath("//section[@class='active']//li")  # the filter shows, with its removal
    # Another country would widen the search (values of a filter are OR'ed): not offered as narrowing.
    assert not narrowed.xpath("//a[@data-facet='country']")
    kind = narrowed.xpath("//a[@data-facet='kind']")[0]
    deeper = page(await site.get(kind.get("href")), "ru")
    assert f"Найдено: {kind.getnext().text}" in lxml_html.tostring(deeper, encoding="unicode")
    # Paging.
    second = doc.xpath("//a[@rel='next']/@href")[0]
    assert dict(parse_qsl(urlsplit(second).query))["offset"] == "10"
    later = page(await site.get(second), "ru")
    assert later.xpath("//ol[@class='hits']/@start") == ["11"]
    assert not set(later.xpath("//ol[@class='hits']//h3/a/@href")) & set(links)


async def test_a_kyrgyz_search_and_nothing_found(site: httpx.AsyncClient) -> None:
    doc = page(await site.get("/ky/search", params={"q": "Тышкы эмгек миграциясы"}), "ky")
    assert f"/ky/laws/{KG_LAW}" in doc.xpath("//ol[@class='hits']//h3/a/@href")
    empty = page(await site.get("/ru/search", params={"q": "мигранты", "country": "AQ"}), "ru")
    assert not empty.xpath("//ol[@class='hits']/li")
    assert "ничего не найдено" in lxml_html.tostring(empty, encoding="unicode")


async def test_the_record_page_in_kyrgyz(site: httpx.AsyncClient) -> None:
    r = await site.get(f"/ky/laws/{KG_LAW}")
    doc = page(r, "ky")
    frame(doc, "ky", f"/laws/{KG_LAW}")
    api = (await site.get(f"/v1/laws/{KG_LAW}", params={"lang": "ky"})).json()
    assert doc.findtext(".//h1") == api["display"]["title"]["text"]
    assert api["display"]["title"]["translation"] == "machine"
    assert doc.xpath("//p[@class='mark-machine']")  # the machine translation is marked
    assert doc.xpath("//p[contains(@class, 'status')]")  # in force today, or not
    assert "Кыргызстан" in doc.xpath("//dl[@class='fields']//dd/text()")
    assert api["status"] == "amended" and "өзгөртүүлөр менен" in doc.xpath("//dl[@class='fields']//dd/text()")
    assert doc.xpath("//a[@class='api']/@href") == [f"/v1/laws/{KG_LAW}?lang=ky"]
    citation = doc.findtext(".//p[@class='cite']")
    assert api["display"]["title"]["text"] in citation and f"/ky/laws/{KG_LAW}" in citation


async def test_the_fallback_language_is_visible(site: httpx.AsyncClient) -> None:
    api = (await site.get(f"/v1/laws/{KG_LAW}", params={"lang": "tg"})).json()
    shown = api["display"]["title"]["lang"]
    assert shown != "tg"
    doc = page(await site.get(f"/tg/laws/{KG_LAW}"), "tg")
    assert doc.xpath("//h1/@lang") == [shown]  # marked as another language for screen readers
    assert doc.xpath("//p[contains(@class, 'fallback')]")


async def test_relations_and_amendments_are_links(
    site: httpx.AsyncClient, editor_key: dict[str, str]
) -> None:
    base = {
        "original_language": "en",
        "countries": ["KG"],
        "instrument_type": "law",
        "publication": "published",
    }
    law = {**base, "slug": "law-site-test-base", "title": {"en": "Site test base law"}, "adopted_on": "2001"}
    amending = {
        **base,
        "slug": "law-site-test-amending",
        "title": {"en": "Site test amending law"},
        "adopted_on": "2010-05-01",
        "in_force_on": "2010-06-01",
        "related": [{"type": "amends", "kind": "law", "slug": "law-site-test-base"}],
    }
    for body in (law, amending):
        r = await site.post("/v1/laws", json=body, headers=editor_key)
        assert r.status_code == 201, r.text
    doc = page(await site.get("/ru/laws/law-site-test-base"), "ru")
    assert doc.xpath("//ol[@class='chain']//a/@href") == ["/ru/laws/law-site-test-amending"]
    assert "2010-06-01" in doc.xpath("//ol[@class='chain']/li/text()")[0]
    assert "/ru/laws/law-site-test-amending" in doc.xpath("//ul[@class='relations']//a/@href")
    other = page(await site.get("/ru/laws/law-site-test-amending"), "ru")
    assert other.xpath("//ul[@class='relations']//a/@href") == ["/ru/laws/law-site-test-base"]
    assert other.xpath("//ol[@class='chain']") == []  # nothing amends it
    # A program's participants link their organizations' pages, which answer.
    programs = (await site.get("/v1/programs", params={"limit": "50"})).json()["items"]
    program = next(p for p in programs if any(x["organization"] for x in p["participants"]))
    shown = await site.get(f"/en/programs/{program['slug']}")
    doc = page(shown, "en")
    assert "{'" not in shown.text and "{&#39;" not in shown.text  # no Python repr of a field
    hrefs = doc.xpath("//ul[@class='relations']//a/@href")
    orgs = [f"/en/organizations/{x['organization']}" for x in program["participants"] if x["organization"]]
    assert set(orgs) <= set(hrefs)
    assert (await site.get(orgs[0])).status_code == 200


async def test_the_timeline(site: httpx.AsyncClient) -> None:
    doc = page(await site.get("/ru/timeline", params={"country": "KG", "from": "2005", "to": "2015"}), "ru")
    frame(doc, "ru", "/timeline")
    api = (await site.get("/v1/timeline", params={"country": "KG", "from": "2005", "to": "2015"})).json()
    hrefs = doc.xpath("//ol[@class='timeline']//a/@href")
    assert len(hrefs) == len(api["items"]) > 0
    years = doc.xpath("//section[@class='year']/h2/text()")
    assert years == sorted(years) and all("2005" <= y <= "2015" for y in years)
    assert doc.xpath("//select[@name='country']/option[@selected]/@value") == ["KG"]


@pytest.mark.parametrize(
    "path",
    [
        "/xx/search",
        "/ky/nokind/x",
        "/ky/laws/no-such-law",
        "/ru/laws/" + "x" * 300,
        "/en/organizations/нет-такой",
    ],
)
async def test_unknown_pages_are_html_404s(site: httpx.AsyncClient, path: str) -> None:
    r = await site.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert lxml_html.fromstring(r.text).xpath("//form[@role='search']")


async def test_the_api_keeps_its_own_404(site: httpx.AsyncClient) -> None:
    r = await site.get("/v1/no-such-thing/x/y")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await site.get("/healthz")).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "1000"},
        {"limit": "abc"},
        {"offset": "-1"},
        {"country": "XX"},
        {"kind": "unicorn"},
        {"from": "year two thousand"},
        {"in": "elsewhere"},
        {"topic": "No Such Topic!"},
        {"q": "x" * 501},
    ],
)
async def test_bad_search_parameters_are_html_4xx(site: httpx.AsyncClient, params: dict[str, str]) -> None:
    r = await site.get("/en/search", params=params)
    assert r.status_code in (400, 422) and r.headers["content-type"].startswith("text/html"), r.text[:300]


@pytest.mark.parametrize(
    "q", ["", "!!!", "o‘zbekiston g‘", "'; DROP TABLE records; --", "<script>x</script>"]
)
async def test_odd_queries_answer_pages(site: httpx.AsyncClient, q: str) -> None:
    r = await site.get("/uz/search", params={"q": q})
    page(r, "uz")
    assert "<script>x</script>" not in r.text  # escaped


async def test_drafts_never_appear(
    site: httpx.AsyncClient,
    editor_key: dict[str, str],
    world: tuple[async_sessionmaker[AsyncSession], SearchIndex],
) -> None:
    body = {
        "slug": "law-site-test-draft",
        "title": {"ru": "Черновик закона о трудовых мигрантах"},
        "original_language": "ru",
        "countries": ["KG"],
        "instrument_type": "law",
        "publication": "draft",
    }
    made = await site.post("/v1/laws", json=body, headers=editor_key)
    assert made.status_code == 201, made.text
    factory, index = world
    await Indexer(factory, index).drain()
    # Not to the public, and not to an editor either: the pages are the public's.
    for headers in ({}, editor_key):
        r = await site.get("/ru/laws/law-site-test-draft", headers=headers)
        assert r.status_code == 404
        found = await site.get("/ru/search", params={"q": "Черновик закона"}, headers=headers)
        assert "law-site-test-draft" not in found.text
    feed = await site.get("/v1/feeds/search.atom", params={"q": "Черновик закона"})
    assert "law-site-test-draft" not in feed.text
    assert (await site.delete("/v1/laws/law-site-test-draft", headers=editor_key)).status_code in (204, 403)
