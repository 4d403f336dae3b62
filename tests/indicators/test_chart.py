"""Charts: a Vega-Lite line chart per country (per source where sources disagree), titled in the
asked language with the sources under it, rendered on the server as SVG and PNG."""

from __future__ import annotations

import struct
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.seed import load_seed

THREE = {"country": "KG,TJ,UZ", "from": "2008", "to": "2024"}


@pytest.fixture
async def figures(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> httpx.AsyncClient:
    async with sessionmaker() as session:
        await load_seed(session)
        await session.commit()
    return client


def layers(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    chart, sources = spec["vconcat"]
    line, points = chart["layer"]
    return chart, line, points | {"sources": sources}


async def test_the_specification_draws_a_line_per_country_and_marks_sources(
    figures: httpx.AsyncClient,
) -> None:
    r = await figures.get("/v1/indicators/remittances-gdp/chart.vl.json", params={**THREE, "lang": "ru"})
    assert r.status_code == 200, r.text
    spec = r.json()
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert spec["title"]["text"] == "Личные денежные переводы, полученные (% ВВП)"
    chart, line, points = layers(spec)
    values = chart["data"]["values"]
    assert {v["country"] for v in values} == {"Киргизия", "Таджикистан", "Узбекистан"}
    assert line["encoding"]["color"]["field"] == "country" and line["encoding"]["detail"]["field"] == "line"
    # The three countries' sources disagree: a line per country and source.
    assert len({v["line"] for v in values}) == 3 + 4 + 3 + 2
    # Sources disagree (2011, 2018, 2021, 2024): each has its own point shape, named in the legend.
    assert points["encoding"]["shape"]["field"] == "source"
    assert {v["source"] for v in values if not v["main"]} == {
        "World Bank 2012-11",
        "World Bank / KNOMAD 2019-12",
        "Asia-Plus 2022-06-15",
        "World Bank 2025-03",
    }
    text = [v["text"] for v in points["sources"]["data"]["values"]]
    assert text[0] == "Источники:"
    assert any("World Development Indicators" in t for t in text)
    assert any("через: as reported by bne IntelliNews" in t for t in text)


async def test_releases_of_other_periods_make_one_line(figures: httpx.AsyncClient) -> None:
    spec = (
        await figures.get("/v1/indicators/entries-russia-work/chart.vl.json", params={"country": "UZ"})
    ).json()
    chart, _, points = layers(spec)
    values = chart["data"]["values"]
    # Three FSB releases, each of another period: one line, each release its own point shape.
    assert len(values) == 3 and len({v["line"] for v in values}) == 1 and all(v["main"] for v in values)
    assert points["encoding"]["shape"]["field"] == "source"
    assert chart["layer"][0]["encoding"]["y"]["axis"]["format"] == ",.2~s"  # 1.6M, not 1.6e+6


async def test_one_source_no_shapes_and_english_by_default(figures: httpx.AsyncClient) -> None:
    r = await figures.get(
        "/v1/indicators/remittances-gdp/chart.vl.json", params={"country": "KZ", "source": "src-wdi-2026-04"}
    )
    spec = r.json()
    _, _, points = layers(spec)
    assert "shape" not in points["encoding"]
    assert spec["title"]["text"] == "Personal remittances received (% of GDP)"
    assert r.headers["content-language"] == "en"
    kk = await figures.get(
        "/v1/indicators/remittances-gdp/chart.vl.json",
        params={"country": "KZ"},
        headers={"Accept-Language": "kk"},
    )
    assert kk.json()["title"]["text"] == "Алынған жеке ақша аударымдары (ЖІӨ-нің %)"


async def test_svg_of_three_countries(figures: httpx.AsyncClient) -> None:
    r = await figures.get("/v1/indicators/remittances-gdp/chart.svg", params=THREE)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    svg = r.text
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    for text in ("Personal remittances received (% of GDP)", "Kyrgyzstan", "Tajikistan", "Uzbekistan"):
        assert text in svg
    assert "Sources:" in svg and "<path" in svg


async def test_png_is_an_image(figures: httpx.AsyncClient) -> None:
    r = await figures.get("/v1/indicators/entries-russia-work/chart.png", params={"lang": "ky"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", r.content[16:24])
    assert width > 1000 and height > 600  # twice the drawn size


async def test_an_empty_selection_says_so(figures: httpx.AsyncClient) -> None:
    r = await figures.get("/v1/indicators/residents-abroad/chart.svg", params={"country": "UZ"})
    assert r.status_code == 200
    assert "No values for this selection" in r.text
