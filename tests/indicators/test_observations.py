"""The seed's figures through the API: indicators listed and filtered, a detail with its sources
and coverage, observations as pages and as CSV, and the problems odd parameters get."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.seed import load_seed

SEED_INDICATORS = {
    "remittances-gdp",
    "entries-russia-work",
    "migrants-registered-russia",
    "labour-migrant-departures",
    "residents-abroad",
    "emigrant-stock",
    "sdg-10-7-2-migration-policy",
}


@pytest.fixture
async def figures(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> httpx.AsyncClient:
    """The client on a base holding the whole seed, its figures too (as `migrantkb seed` loads it)."""
    async with sessionmaker() as session:
        await load_seed(session)
        await session.commit()
    return client


async def every_page(client: httpx.AsyncClient, url: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = await client.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            assert body["total"] == len(out)
            return out


async def test_the_seed_indicators_are_listed_and_filtered(figures: httpx.AsyncClient) -> None:
    items = await every_page(figures, "/v1/indicators", limit=3)
    assert {i["slug"] for i in items} == SEED_INDICATORS
    remittances = next(i for i in items if i["slug"] == "remittances-gdp")
    assert remittances["code"] == "BX.TRF.PWKR.DT.GD.ZS" and remittances["unit"] == "percent of GDP"
    assert remittances["name"]["ru"] == "Личные денежные переводы, полученные (% ВВП)"
    # Names in the seven languages, those the dataset lacks marked as machine translations.
    assert set(remittances["name"]) == {"en", "ru", "ky", "kk", "uz", "tg", "tk"}
    assert (
        remittances["translation_kinds"]["ky"] == "machine" and "ru" not in remittances["translation_kinds"]
    )
    # Countries are those observed; Turkmenistan only in the FSB entries and the regional aggregate.
    tm = await every_page(figures, "/v1/indicators", country="TM")
    assert {i["slug"] for i in tm} == {"entries-russia-work", "emigrant-stock"}
    topic = await every_page(figures, "/v1/indicators", topic="remittances")
    assert [i["slug"] for i in topic] == ["remittances-gdp"]
    found = await every_page(figures, "/v1/indicators", q="registered")
    assert [i["slug"] for i in found] == ["migrants-registered-russia"]


async def test_a_detail_names_its_sources_and_coverage(figures: httpx.AsyncClient) -> None:
    r = await figures.get("/v1/indicators/remittances-gdp", params={"lang": "ru"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["display"]["title"]["text"].startswith("Личные денежные переводы")
    assert {s["key"] for s in body["sources"]} == {
        "src-wdi-2026-04",
        "src-mdb-2012-11",
        "src-mdb-2019-12",
        "src-asiaplus-2022-06",
        "src-wb-journey-ahead-2025",
    }
    wdi = next(s for s in body["sources"] if s["key"] == "src-wdi-2026-04")
    assert wdi["vintage"] == "2026-04" and "Fozich/uzbekistan-macro-tracker" in wdi["via"]
    coverage = body["coverage"]
    assert coverage["countries"] == ["KG", "KZ", "TJ", "UZ"]
    assert coverage["first"] == "2008" and coverage["last"] == "2024"
    assert coverage["periods"] == [str(y) for y in range(2008, 2025)]
    aggregate = (await figures.get("/v1/indicators/emigrant-stock")).json()
    assert aggregate["coverage"]["countries"] == ["CA"] and aggregate["coverage"]["observations"] == 2


async def test_kyrgyz_remittances_2008_to_2022_from_every_source(figures: httpx.AsyncClient) -> None:
    url = "/v1/indicators/remittances-gdp/observations"
    items = await every_page(figures, url, country="KG", **{"from": "2008", "to": "2022"}, limit=4)
    wdi = [i for i in items if i["source"] == "src-wdi-2026-04"]
    assert [i["period"] for i in wdi] == [str(y) for y in range(2008, 2023)]
    assert wdi[0]["value"] == 23.8
    others = {(i["period"], i["source"], i["value"], i["note"]) for i in items if i not in wdi}
    # The same years from the other sources, all kept beside the WDI values.
    assert others == {
        ("2011", "src-mdb-2012-11", 29.0, "rounded"),
        ("2018", "src-mdb-2019-12", 35.1, "estimate"),
        ("2021", "src-asiaplus-2022-06", 33.0, "rounded"),
    }
    assert all(i["country"] == "KG" for i in items)
    assert [i["start"] for i in items] == sorted(i["start"] for i in items)
    page = (await figures.get(url, params={"country": "KG", "source": "src-mdb-2019-12"})).json()
    assert page["total"] == 1 and page["sources"][0]["via"] == "as reported by Asia-Plus, 11 December 2019"


async def test_periods_months_intervals_and_aggregates(figures: httpx.AsyncClient) -> None:
    entries = await every_page(
        figures, "/v1/indicators/entries-russia-work/observations", country="UZ", **{"from": "2019"}
    )
    assert [(i["period"], i["start"], i["end"]) for i in entries] == [
        ("2019-01/2019-06", "2019-01-01", "2019-06-30"),
        ("2023-01/2023-03", "2023-01-01", "2023-03-31"),
    ]
    assert entries[0]["disaggregation"] == {"destination": "RU"} and entries[0]["note"] == "approximate"
    registered = await every_page(figures, "/v1/indicators/migrants-registered-russia/observations")
    conflicting = [i for i in registered if i["period"] == "2024-12"]
    assert {(i["source"], i["value"]) for i in conflicting} == {
        ("src-24kg-315820", 350000.0),
        ("src-timesca-2025", 379949.0),
    }
    stock = await every_page(figures, "/v1/indicators/emigrant-stock/observations", country="CA")
    assert {i["value"] for i in stock} == {7800000.0, 4900000.0}
    assert all(i["region"] == ["KZ", "KG", "TJ", "TM", "UZ"] for i in stock)


async def test_observations_as_csv(figures: httpx.AsyncClient) -> None:
    r = await figures.get(
        "/v1/indicators/remittances-gdp/observations",
        params={"country": "TJ"},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["country"] for row in rows} == {"TJ"}
    assert len(rows) == 17 + 4  # WDI 2008-2024 and four years from other sources
    by_year = {(row["period"], row["source"]): row for row in rows}
    cited = by_year[("2024", "src-wb-journey-ahead-2025")]
    assert cited["value"] == "45" and cited["note"] == "rounded"
    assert cited["source_via"] == "as reported by Asia-Plus, 11 March 2025"
    assert by_year[("2008", "src-wdi-2026-04")]["value"] == "44.13"
    assert by_year[("2008", "src-wdi-2026-04")]["unit"] == "percent of GDP"
    # `format=csv` answers the same file to a link a browser follows (it cannot set Accept), and
    # `format=json` answers JSON whatever Accept says.
    linked = await figures.get(
        "/v1/indicators/remittances-gdp/observations", params={"country": "TJ", "format": "csv"}
    )
    assert linked.headers["content-type"].startswith("text/csv") and linked.content == r.content
    asked = await figures.get(
        "/v1/indicators/remittances-gdp/observations",
        params={"country": "TJ", "format": "json"},
        headers={"Accept": "text/csv"},
    )
    assert asked.json()["total"] == len(rows)
    bad = await figures.get("/v1/indicators/remittances-gdp/observations", params={"format": "xlsx"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "XX"}, "/country"),
        ({"from": "2020-13"}, "/from"),
        ({"to": "last year"}, "/to"),
        ({"from": "2022", "to": "2010"}, "/to"),
        ({"source": "src-nowhere"}, "/source"),
    ],
)
async def test_odd_parameters_are_problems(
    figures: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    for url in ("/v1/indicators/remittances-gdp/observations", "/v1/indicators/remittances-gdp/chart.svg"):
        r = await figures.get(url, params=params)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["path"] for e in r.json()["errors"]] == [field]


async def test_unknown_and_draft_indicators_are_not_found(
    figures: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    r = await figures.get("/v1/indicators/no-such-figure/observations")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    body = {"slug": "draft-figure", "name": {"en": "A figure in the works"}, "unit": "persons"}
    assert (await figures.post("/v1/indicators", json=body, headers=editor)).status_code == 201
    assert (await figures.get("/v1/indicators/draft-figure/observations")).status_code == 404
    assert (await figures.get("/v1/indicators/draft-figure/chart.png")).status_code == 404
    seen = await figures.get("/v1/indicators/draft-figure/observations", headers=editor)
    assert seen.status_code == 200 and seen.json()["total"] == 0


async def test_the_timeline_carries_an_indicators_values(figures: httpx.AsyncClient) -> None:
    params = {"country": "TJ", "from": "2018", "to": "2019", "series": "remittances-gdp,entries-russia-work"}
    r = await figures.get("/v1/timeline", params={**params, "lang": "ru"})
    assert r.status_code == 200, r.text
    body = r.json()
    remittances, entries = body["series"]
    assert (
        remittances["slug"] == "remittances-gdp" and remittances["href"] == "/v1/indicators/remittances-gdp"
    )
    assert remittances["display"]["title"]["text"].startswith("Личные денежные переводы")
    assert {(v["period"], v["source"], v["value"]) for v in remittances["values"]} == {
        ("2018", "src-wdi-2026-04", 28.12),
        ("2018", "src-mdb-2019-12", 32.2),
        ("2019", "src-wdi-2026-04", 27.97),
    }
    assert {s["key"] for s in remittances["sources"]} == {"src-wdi-2026-04", "src-mdb-2019-12"}
    # Entries for work: the 2018 and 2019 intervals (the 2023 quarter lies outside).
    assert [v["period"] for v in entries["values"]] == ["2018-01/2018-09", "2019-01/2019-06"]
    assert all(v["country"] == "TJ" for v in entries["values"])
    # Beside the timeline's own entries, which are unchanged.
    plain = (await figures.get("/v1/timeline", params={"country": "TJ", "from": "2018", "to": "2019"})).json()
    assert body["items"] == [] or [i["slug"] for i in body["items"]] == [i["slug"] for i in plain["items"]]
    assert "series" not in plain
    unknown = await figures.get("/v1/timeline", params={"series": "no-such-figure"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "/series"
