"""Following a search (the Atom feed) and a record's files on its page: the download, and the
pages of a file that match the words the reader searched for (text extracted by the real worker)."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.search.index import SearchIndex
from app.search.sync import Indexer
from tests.support.servers import run_jobs

ATOM = "{http://www.w3.org/2005/Atom}"
KG_LAW = "law-kg-external-labour-migration-2006"


async def test_the_feed_of_a_search(site: httpx.AsyncClient) -> None:
    r = await site.get("/v1/feeds/search.atom", params={"q": "мигранты", "country": "KG", "lang": "ru"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(r.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 50
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert urlsplit(self_link).path == "/v1/feeds/search.atom"
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    for entry in entries[:5]:
        href = entry.find(f"{ATOM}link").get("href")
        path = urlsplit(href).path
        assert path.startswith("/ru/")
        shown = await site.get(path)
        assert shown.status_code == 200
        assert lxml_html.fromstring(shown.text).findtext(".//h1") == entry.findtext(f"{ATOM}title")
        kind, slug = path.split("/")[2:4]
        record = (await site.get(f"/v1/{kind}/{slug}")).json()
        assert "KG" in record["countries"]
    # Without words: every public record of the filters, newest first; a bad filter is the API's 422.
    laws = etree.fromstring((await site.get("/v1/feeds/search.atom", params={"kind": "law"})).content)
    assert {e.find(f"{ATOM}category").get("term") for e in laws.findall(f"{ATOM}entry")} == {"law"}
    bad = await site.get("/v1/feeds/search.atom", params={"country": "XX"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_a_feed_of_words_with_control_characters_is_still_xml(site: httpx.AsyncClient) -> None:
    # XML 1.0 cannot carry U+0007 or U+001B: the fuzzer's `q=%07zd` answered a 500 before they
    # were left out of the feed's text.
    for q in ("\x07zd", "\x1bмигранты\x0b"):
        r = await site.get("/v1/feeds/search.atom", params={"q": q, "lang": "ru"})
        assert r.status_code == 200, r.text
        title = etree.fromstring(r.content).findtext(f"{ATOM}title")
        assert q.strip("\x07\x1b\x0b") in title and not any(c in title for c in "\x07\x1b\x0b")


async def test_a_record_page_offers_its_files_and_the_pages_that_match(
    site: httpx.AsyncClient,
    editor_key: dict[str, str],
    database_url: str,
    world: tuple[async_sessionmaker[AsyncSession], SearchIndex],
) -> None:
    text = "Статья 1. Общие положения.\n\nТрудящиеся-мигранты имеют право на защиту своих трудовых прав.\n"
    upload = await site.post(
        f"/v1/laws/{KG_LAW}/attachments",
        files={"file": ("закон.txt", text.encode(), "application/octet-stream")},
        data={"title": "Текст закона", "languages": "ru"},
        headers=editor_key,
    )
    assert upload.status_code == 201, upload.text
    await run_jobs(database_url)  # the worker extracts the text
    factory, index = world
    await Indexer(factory, index).drain()

    doc = lxml_html.fromstring((await site.get(f"/ru/laws/{KG_LAW}", params={"q": "мигранты"})).text)
    link = doc.xpath("//a[@class='download']")[0]
    assert "Текст закона" in link.text
    got = await site.get(link.get("href"))
    assert got.status_code == 200 and got.content == text.encode()
    assert "attachment" in got.headers["content-disposition"]
    matched = doc.xpath("//ul[@class='pages']/li")
    assert matched and "мигранты" in "".join(matched[0].xpath(".//mark/text()")).lower()
    # Pages are matched in SQL, then by term: words the file lacks (or too short to match) mark none.
    for q in ("зарплата", "на"):
        other = lxml_html.fromstring((await site.get(f"/ru/laws/{KG_LAW}", params={"q": q})).text)
        assert other.xpath("//a[@class='download']") and not other.xpath("//ul[@class='pages']/li"), q
    # The search finds the words inside the file and says where.
    found = lxml_html.fromstring(
        (await site.get("/ru/search", params={"q": "трудящиеся-мигранты защиту", "in": "documents"})).text
    )
    documents = found.xpath("//p[@class='doc']/a/@href")
    assert any(h.startswith(f"/v1/laws/{KG_LAW}/attachments/") for h in documents)
