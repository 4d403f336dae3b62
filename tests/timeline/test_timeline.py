"""GET /v1/timeline: every dated step of public records, in order, across kinds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.factories import create


async def entries(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every page of the timeline, following next_cursor."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = await client.get("/v1/timeline", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            assert body["total"] == len(out)
            return out


async def test_kyrgyz_labour_migration_2012_to_2015(seeded: httpx.AsyncClient) -> None:
    steps = await entries(seeded, country="KG", topic="labour-migration", **{"from": "2012", "to": "2015"})
    seen = {(e["kind"], e["slug"], e["what"]) for e in steps}
    # Events held, research released, a program starting, the EAEU accession signed.
    assert ("event", "ev-tspc-research-workshop-2012-09-13", "held") in seen
    assert ("event", "ev-kg-eaeu-accession-treaty-signed-2014-12-23", "held") in seen
    assert ("publication", "pub-tspc-customs-union-accession-research-2014", "released") in seen
    assert ("program", "prog-tspc-migrant-rights-stage2-2013-2014", "started") in seen
    assert {e["kind"] for e in steps} >= {"event", "publication", "program"}
    dates = [e["date"] for e in steps]
    assert dates == sorted(dates) and all("2012" <= d[:4] <= "2015" for d in dates)
    assert all("KG" in e["countries"] and "labour-migration" in e["topics"] for e in steps)
    for e in steps[:5]:  # each entry points at its record
        record = (await seeded.get(e["href"])).json()
        assert record["id"] == e["id"] and record["kind"] == e["kind"]


async def test_laws_adopted_and_in_force_and_pages(seeded: httpx.AsyncClient) -> None:
    laws = await entries(seeded, kind="law", country="KG", limit=3)
    whats = {e["what"] for e in laws}
    assert whats == {"adopted", "entered_into_force"}
    keys = [(e["date"], e["id"], e["what"]) for e in laws]
    assert keys == sorted(keys) and len(keys) == len(set(keys))  # pages of 3: nothing skipped or repeated
    by_law = {e["slug"] for e in laws if e["what"] == "adopted"}
    listed = (await seeded.get("/v1/laws", params={"country": "KG", "limit": 100})).json()["items"]
    assert by_law == {law["slug"] for law in listed if law["adopted_on"]}


async def test_only_public_records_and_held_events(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    held = await create(client, editor, "event", starts_on="2011-05-01", status="held", countries=["UZ"])
    await create(client, editor, "event", starts_on="2011-06-01", status="planned", countries=["UZ"])
    await create(client, editor, "event", starts_on="2011-07-01", publication="draft", countries=["UZ"])
    steps = await entries(client, country="UZ")
    assert [(e["slug"], e["what"], e["display"]["title"]["lang"]) for e in steps] == [
        (held["slug"], "held", "en")
    ]
    ru = (await client.get("/v1/timeline", params={"country": "UZ", "lang": "ru"})).json()["items"][0]
    assert ru["display"]["title"] == {"text": held["title"]["ru"], "lang": "ru", "translation": None}


@pytest.mark.parametrize(
    "params",
    [{"kind": "organization"}, {"from": "2012-13"}, {"country": "XX"}, {"limit": "0"}, {"cursor": "bogus"}],
)
async def test_bad_parameters(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    r = await client.get("/v1/timeline", params=params)
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json", r.text
