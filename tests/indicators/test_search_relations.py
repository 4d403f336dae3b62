"""Indicators are found like records (their names in every language, through the real index) and
relate to records: a policy that targets a figure, a publication that reports one."""

from __future__ import annotations

from typing import Any

import httpx

from app.seed import load_seed
from tests.support.factories import create


async def test_a_russian_query_finds_the_remittances_indicator(stack: dict[str, Any]) -> None:
    api, indexer = stack["api"], stack["indexer"]
    async with stack["factory"]() as session:
        await load_seed(session)
        await session.commit()
    await indexer.drain()
    for query in ("денежные переводы", "акча которуулар", "pul o‘tkazmalari", "remittances % of GDP"):
        r = await api.get("/v1/search", params={"q": query, "kind": "indicator"})
        assert r.status_code == 200, r.text
        hits = r.json()["hits"]
        assert hits and hits[0]["slug"] == "remittances-gdp", (query, [h["slug"] for h in hits])
    everything = (await api.get("/v1/search", params={"q": "денежные переводы"})).json()["hits"]
    assert everything[0]["kind"] == "indicator" and everything[0]["slug"] == "remittances-gdp"


async def test_policies_target_and_publications_report_indicators(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    figure = await create(client, editor, "indicator", slug="remittance-costs")
    await create(
        client,
        editor,
        "policy",
        slug="policy-remittance-costs",
        related=[{"type": "targets", "kind": "indicator", "slug": figure["slug"]}],
    )
    await create(
        client,
        editor,
        "publication",
        slug="pub-remittances-brief",
        related=[{"type": "reports", "kind": "indicator", "slug": figure["slug"]}],
    )
    detail = (await client.get("/v1/indicators/remittance-costs")).json()
    assert {(r["type"], r["direction"], r["slug"]) for r in detail["relations"]} == {
        ("targets", "incoming", "policy-remittance-costs"),
        ("reports", "incoming", "pub-remittances-brief"),
    }
    # The types go only where they mean something: a law does not `report` a figure.
    r = await client.post(
        "/v1/laws",
        json={
            "slug": "law-x",
            "title": {"en": "X"},
            "instrument_type": "law",
            "related": [{"type": "reports", "kind": "indicator", "slug": "remittance-costs"}],
        },
        headers=editor,
    )
    assert r.status_code == 422
