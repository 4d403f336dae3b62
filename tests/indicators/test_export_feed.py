"""An indicator's figures travel with it: the NDJSON export carries them in a `figures` field that
the import reads back (checked with the line), and a change of figures is a new version of the
indicator in the change feed."""

from __future__ import annotations

import json

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.seed import load_seed
from tests.support.fixtures import key_headers
from tests.support.imports import export_lines

WB_CSV = (
    '"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-07-01",\n\n'
    '"Country Name","Country Code","Indicator Name","Indicator Code","2021","2022",\n'
    '"Tajikistan","TJK","Departures","X.DEP","10","12",\n'
)


async def test_export_carries_figures_and_the_import_reads_them_back(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], editor: dict[str, str]
) -> None:
    async with sessionmaker() as session:
        await load_seed(session)
        await session.commit()
    lines = await export_lines(client)
    assert len(lines) == 7
    remittances = lines["remittances-gdp"]
    assert len(remittances["figures"]["observations"]) == 75
    assert {s["key"] for s in remittances["figures"]["sources"]} >= {"src-wdi-2026-04", "src-mdb-2012-11"}
    stock = lines["emigrant-stock"]["figures"]["observations"]
    assert all(o["country"] == "CA" and o["region"] == ["KZ", "KG", "TJ", "TM", "UZ"] for o in stock)
    assert any(o.get("disaggregation") == {"destination": "RU"} for o in stock)
    # Read back as it is: nothing changes, no new version.
    before = (await client.get("/v1/indicators/remittances-gdp")).json()["version"]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines.values()) + "\n"
    r = await client.post(
        "/v1/import", content=body.encode(), headers={**editor, "Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 200, r.text
    assert (await client.get("/v1/indicators/remittances-gdp")).json()["version"] == before
    # A value changed and one added on the line: both written, the others kept; a new version.
    figures = remittances["figures"]
    kg_2008 = next(o for o in figures["observations"] if o["country"] == "KG" and o["period"] == "2008")
    kg_2008["value"] = 23.9
    figures["observations"].append(
        {"country": "KG", "period": "2025-Q1", "value": 20.5, "source": "src-wdi-2026-04"}
    )
    line = json.dumps(remittances, ensure_ascii=False) + "\n"
    r = await client.post(
        "/v1/import", content=line.encode(), headers={**editor, "Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 200, r.text
    page = (
        await client.get(
            "/v1/indicators/remittances-gdp/observations",
            params={"country": "KG", "source": "src-wdi-2026-04", "limit": 100},
        )
    ).json()
    assert page["items"][0]["value"] == 23.9 and page["items"][-1]["period"] == "2025-Q1"
    assert page["total"] == 16
    assert (await client.get("/v1/indicators/remittances-gdp")).json()["version"] == before + 1


async def test_a_bad_figure_rejects_the_line_with_its_place(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    line = {
        "kind": "indicator",
        "slug": "carried",
        "name": {"en": "Carried"},
        "unit": "persons",
        "figures": {
            "sources": [{"key": "src-a", "publisher": "Agency", "title": "Report"}],
            "observations": [
                {"country": "KG", "period": "2022", "value": 1, "source": "src-a"},
                {"country": "KG", "period": "2022-14", "value": 2, "source": "src-a"},
                {"country": "KG", "period": "2023", "value": 3, "source": "src-b"},
            ],
        },
    }
    r = await client.post(
        "/v1/import",
        content=json.dumps(line).encode(),
        headers={**editor, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 422, r.text
    assert [e["path"] for e in r.json()["errors"]] == [
        "/line/1/figures/observations/1/period",
        "/line/1/figures/observations/2/source",
    ]
    assert (await client.get("/v1/indicators/carried", headers=editor)).status_code == 404


async def test_figures_changes_are_versions_in_the_feed(
    committed_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    client, editor = committed_client, await key_headers(committed, "editor")
    body = {
        "slug": "departures",
        "name": {"en": "Departures"},
        "unit": "persons",
        "code": "X.DEP",
        "publication": "published",
    }
    assert (await client.post("/v1/indicators", json=body, headers=editor)).status_code == 201
    params = {"format": "wb-csv", "source": "src-x", "publisher": "Agency", "title": "Departures"}
    url = "/v1/indicators/departures/observations/import"
    assert (await client.post(url, params=params, content=WB_CSV, headers=editor)).status_code == 200
    again = await client.post(url, params=params, content=WB_CSV, headers=editor)
    assert again.json()["counts"]["unchanged"] == 2
    changed = await client.post(url, params=params, content=WB_CSV.replace('"12"', '"13"'), headers=editor)
    assert changed.json()["counts"]["replaced"] == 1
    items = (await client.get("/v1/changes")).json()["items"]
    # Created; its countries took in Tajikistan with the first values; the changed value.
    assert [(i["slug"], i["action"], i["version"]) for i in items] == [
        ("departures", "created", 1),
        ("departures", "updated", 2),
        ("departures", "updated", 3),
    ]
    revisions = (await client.get("/v1/indicators/departures/revisions", headers=editor)).json()["items"]
    assert revisions[0]["version"] == 3 and revisions[0]["diff"] == {}
