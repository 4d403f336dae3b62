"""The indicator's page (issue #26): its names and definition in the reader's language (the
fallback and machine translations shown), its chart and the files behind it, the observations as
`/v1/indicators/{key}/observations` answers them with each value's source (a value read "via" a
copy marked), filters from a plain GET form, the sources; never a draft; a bad filter is an HTML
422 and an unknown indicator an HTML 404. A search hit and the record route lead to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from lxml import html as lxml_html

from app.site import indicator as indicator_page
from tests.support.factories import policy
from tests.support.pages import frame, page

KEY = "remittances-gdp"


def cells(doc: Any) -> list[list[str]]:
    return [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in doc.xpath("//table[@class='observations']/tbody/tr")
    ]


async def test_the_remittances_page_in_russian(site: httpx.AsyncClient) -> None:
    r = await site.get(f"/ru/indicators/{KEY}")
    doc = page(r, "ru")
    frame(doc, "ru", f"/indicators/{KEY}")
    api = (await site.get(f"/v1/indicators/{KEY}", params={"lang": "ru"})).json()
    assert doc.findtext(".//h1") == api["name"]["ru"] == "Личные денежные переводы, полученные (% ВВП)"
    assert doc.findtext(".//title").startswith(api["name"]["ru"])
    # The definition exists only in English: shown, marked as English for screen readers.
    definition = doc.xpath("//p[@class='definition']/span")[0]
    assert definition.get("lang") == "en" and definition.text == api["definition"]["en"]
    dd = doc.xpath("//dl[@class='fields']/dd/text()")
    assert "percent of GDP" in dd and "BX.TRF.PWKR.DT.GD.ZS" in dd
    assert doc.xpath("//a[@class='api']/@href") == [f"/v1/indicators/{KEY}?lang=ru"]

    # The table: every observation, as the JSON list answers, with its source.
    obs = (await site.get(f"/v1/indicators/{KEY}/observations", params={"limit": 1000})).json()
    rows = cells(doc)
    assert len(rows) == obs["total"] == len(obs["items"]) and f"Значений: {obs['total']}" in r.text
    kg = [row for row in rows if row[0] == "Киргизия"]
    api_kg = [o for o in obs["items"] if o["country"] == "KG"]
    assert len(kg) == len(api_kg) > 10
    assert [row[1] for row in kg] == [o["period"] for o in api_kg]
    publishers = {s["key"]: s["publisher"] for s in obs["sources"]}
    assert all(row[4].startswith(publishers[o["source"]]) for row, o in zip(kg, api_kg, strict=True))
    kg_sources = {o["source"] for o in api_kg}
    assert len(kg_sources) >= 3  # several sources for Kyrgyzstan, each named on its rows
    # Two sources for one year: both rows shown.
    periods = [o["period"] for o in api_kg]
    assert any(periods.count(p) > 1 for p in periods)
    # A value read from a secondary copy says so on its row, and its source says through what.
    via = {s["key"] for s in api["sources"] if s["via"]}
    marked = doc.xpath("//table[@class='observations']/tbody/tr[@class='via']")
    assert len(marked) == sum(1 for o in obs["items"] if o["source"] in via) > 0
    assert all("по вторичной копии" in tr.text_content() for tr in marked)
    listed = doc.xpath("//ul[@class='indicator-sources']/li")
    assert sorted(li.get("id") for li in listed) == sorted(f"src-{s['key']}" for s in api["sources"])
    wdi = doc.xpath("//li[@id='src-src-wdi-2026-04']")[0].text_content()
    assert "World Bank" in wdi and "2026-04" in wdi and "Fozich/uzbekistan-macro-tracker" in wdi
    assert "https://data.worldbank.org/indicator/BX.TRF.PWKR.DT.GD.ZS" in wdi

    # The chart in Russian, described for those who cannot see it, and the files behind it.
    img = doc.xpath("//figure[@class='chart']//img")[0]
    assert urlsplit(img.get("src")).path == f"/v1/indicators/{KEY}/chart.svg"
    assert dict(parse_qsl(urlsplit(img.get("src")).query)) == {"lang": "ru"}
    assert api["name"]["ru"] in img.get("alt") and "Киргизия" in img.get("alt")
    svg = await site.get(img.get("src"))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "Личные денежные переводы" in svg.text
    links = doc.xpath("//ul[@class='downloads']//a/@href")
    for link, kind in zip(links, ("image/svg+xml", "image/png", "application/json", "text/csv"), strict=True):
        got = await site.get(link)
        assert got.status_code == 200 and got.headers["content-type"].startswith(kind), link
    csv = await site.get(links[3])
    assert csv.text.count("\n") == obs["total"] + 1 and "source_via" in csv.text


async def test_filters_narrow_the_table_and_the_chart(site: httpx.AsyncClient) -> None:
    everything = page(await site.get(f"/ru/indicators/{KEY}"), "ru")
    form = everything.xpath("//form[@class='filters']")[0]
    assert form.get("method") == "get" and form.get("action") == f"/ru/indicators/{KEY}"
    assert {"KG", "TJ", "UZ", "KZ"} <= set(form.xpath(".//select[@name='country']/option/@value"))
    params = {"country": "KG", "from": "2015", "to": "2020"}
    r = await site.get(f"/ru/indicators/{KEY}", params=params)
    doc = page(r, "ru")
    frame(doc, "ru", f"/indicators/{KEY}")
    canonical = doc.xpath("//link[@rel='canonical']/@href")[0]
    assert dict(parse_qsl(urlsplit(canonical).query)) == params  # the permalink keeps the filters
    api = (await site.get(f"/v1/indicators/{KEY}/observations", params=params)).json()
    rows = cells(doc)
    assert [(row[0], row[1]) for row in rows] == [("Киргизия", o["period"]) for o in api["items"]]
    assert rows and all("2015" <= row[1] <= "2020" for row in rows)
    assert doc.xpath("//select[@name='country']/option[@selected]/@value") == ["KG"]
    assert doc.xpath("//input[@name='from']/@value") == ["2015"]
    img = doc.xpath("//figure[@class='chart']//img/@src")[0]
    assert dict(parse_qsl(urlsplit(img).query)) == {**params, "lang": "ru"}
    csv = doc.xpath("//a[@class='csv']/@href")[0]
    assert dict(parse_qsl(urlsplit(csv).query)) == {**params, "format": "csv"}
    # An empty form (every field blank, as a browser sends it) is no filter at all.
    blank = page(await site.get(f"/ru/indicators/{KEY}", params={"country": "", "from": "", "to": ""}), "ru")
    assert len(cells(blank)) == len(cells(everything))
    # Nothing in the range: the page says so.
    none = page(await site.get(f"/en/indicators/{KEY}", params={"from": "1990", "to": "1991"}), "en")
    assert not cells(none) and "No values for these filters." in lxml_html.tostring(none, encoding="unicode")


async def test_the_table_pages(site: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicator_page, "PAGE_SIZE", 30)  # the seed's 75 values, in three pages
    url: str | None = f"/ru/indicators/{KEY}?country=KG,TJ"
    seen: list[list[str]] = []
    while url:
        doc = page(await site.get(url), "ru")
        seen += cells(doc)
        nxt = doc.xpath("//a[@rel='next']/@href")
        url = nxt[0] if nxt else None
        if url:
            assert dict(parse_qsl(urlsplit(url).query))["country"] == "KG,TJ"  # the filters kept
    api = (
        await site.get(f"/v1/indicators/{KEY}/observations", params={"country": "KG,TJ", "limit": 100})
    ).json()
    assert len(seen) == api["total"] > 30
    assert [(c[0], c[1]) for c in seen] == [
        ({"KG": "Киргизия", "TJ": "Таджикистан"}[o["country"]], o["period"]) for o in api["items"]
    ]


async def test_machine_translations_and_related_records(
    site: httpx.AsyncClient, editor_key: dict[str, str]
) -> None:
    doc = page(await site.get(f"/ky/indicators/{KEY}"), "ky")
    api = (await site.get(f"/v1/indicators/{KEY}", params={"lang": "ky"})).json()
    assert doc.findtext(".//h1") == api["name"]["ky"] and api["translation_kinds"]["ky"] == "machine"
    assert doc.xpath("//p[@class='mark-machine']")  # the Kyrgyz name is a machine translation
    assert doc.xpath("//p[contains(@class, 'fallback')]")  # the definition is shown in English
    published = policy(
        slug="policy-site-remittances",
        title={"ru": "Концепция снижения стоимости переводов"},
        related=[{"type": "targets", "kind": "indicator", "slug": KEY}],
    )
    draft = policy(
        slug="policy-site-remittances-draft",
        title={"ru": "Черновик концепции"},
        publication="draft",
        related=[{"type": "targets", "kind": "indicator", "slug": KEY}],
    )
    for body in (published, draft):
        made = await site.post("/v1/policies", json=body, headers=editor_key)
        assert made.status_code == 201, made.text
    try:
        doc = page(await site.get(f"/ru/indicators/{KEY}"), "ru")
        hrefs = doc.xpath("//ul[@class='relations']//a/@href")
        assert hrefs == ["/ru/policies/policy-site-remittances"]  # the draft's link is not shown
        assert doc.xpath("//ul[@class='relations']//a/text()") == ["Концепция снижения стоимости переводов"]
        assert (await site.get(hrefs[0])).status_code == 200
    finally:
        for body in (published, draft):
            await site.delete(f"/v1/policies/{body['slug']}", headers=editor_key)


async def test_a_regional_aggregate_is_not_a_country(site: httpx.AsyncClient) -> None:
    """The emigrant stock is given for Central Asia as a whole (`CA`, with its member countries),
    not for Canada, whose ISO code it shares."""
    doc = page(await site.get("/ru/indicators/emigrant-stock"), "ru")
    rows = cells(doc)
    assert rows and all(row[0].startswith("CA (группа стран)") for row in rows)
    assert all("Киргизия" in row[0] and "Туркменистан" in row[0] for row in rows)  # its members
    assert "Канада" not in doc.text_content()
    listing = page(await site.get("/ru/indicators"), "ru").text_content()
    assert "Канада" not in listing and "CA (группа стран)" in listing
    assert doc.xpath("//select[@name='country']/option[@value='CA']/text()") == ["CA (группа стран)"]
    chart = await site.get(doc.xpath("//figure[@class='chart']//img/@src")[0])
    assert chart.status_code == 200 and "Канада" not in chart.text and "CA (KZ, KG, TJ, TM, UZ)" in chart.text
    narrowed = page(await site.get("/ru/indicators/emigrant-stock", params={"country": "CA"}), "ru")
    assert len(cells(narrowed)) == len(rows)


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"country": "XX"},
        {"country": "Кыргызстан"},
        {"from": "year two thousand"},
        {"to": "2024-13"},
        {"from": "2020", "to": "2010"},
        {"from": "x" * 5000},
        {"country": ["KG", "TJ"]},
    ],
)
async def test_a_bad_filter_is_an_html_422(site: httpx.AsyncClient, params: dict[str, Any]) -> None:
    r = await site.get(f"/ky/indicators/{KEY}", params=params)
    assert r.status_code == (400 if "cursor" in params else 422) and r.headers["content-type"].startswith(
        "text/html"
    ), r.text[:300]
    assert lxml_html.fromstring(r.text).get("lang") == "ky"


@pytest.mark.parametrize("key", ["no-such-indicator", "x" * 300, "нет-такого", KEY.upper()])
async def test_an_unknown_indicator_is_an_html_404(site: httpx.AsyncClient, key: str) -> None:
    r = await site.get(f"/ru/indicators/{key}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), r.text[:300]


async def test_a_draft_indicator_never_appears(site: httpx.AsyncClient, editor_key: dict[str, str]) -> None:
    body = {
        "slug": "indicator-site-draft",
        "name": {"ru": "Черновой показатель"},
        "original_language": "ru",
        "unit": "persons",
        "publication": "draft",
    }
    made = await site.post("/v1/indicators", json=body, headers=editor_key)
    assert made.status_code == 201, made.text
    for headers in ({}, editor_key):  # the pages are the public's, an editor's key or not
        assert (await site.get("/ru/indicators/indicator-site-draft", headers=headers)).status_code == 404
        listing = await site.get("/ru/indicators", headers=headers)
        assert "indicator-site-draft" not in listing.text
    await site.delete("/v1/indicators/indicator-site-draft", headers=editor_key)


async def test_the_list_the_search_and_the_record_route_lead_to_the_page(site: httpx.AsyncClient) -> None:
    doc = page(await site.get("/kk/indicators"), "kk")
    frame(doc, "kk", "/indicators")
    hrefs = doc.xpath("//ul[@class='indicators']//a/@href")
    public = (await site.get("/v1/indicators", params={"limit": 100})).json()
    assert sorted(hrefs) == sorted(f"/kk/indicators/{i['slug']}" for i in public["items"])
    assert f"/kk/indicators/{KEY}" in hrefs
    assert doc.xpath("//nav[@class='sections']//a[@href='/kk/indicators']")  # in every page's header
    # A search hit on the indicator links its page, which is the indicator's page, not a record's.
    found = page(await site.get("/ru/search", params={"q": "денежные переводы", "kind": "indicator"}), "ru")
    assert f"/ru/indicators/{KEY}" in found.xpath("//ol[@class='hits']//h3/a/@href")
    target = page(await site.get(f"/ru/indicators/{KEY}"), "ru")
    assert target.xpath("//article[contains(@class, 'indicator')]//table[@class='observations']")
