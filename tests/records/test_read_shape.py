"""Record bodies are built as plain data and written with orjson (app/core/http.py), not validated
by the response model on the way out: these tests hold the two to the same bytes' meaning."""

from __future__ import annotations

import httpx
import pytest

from app.registry import SPECS
from app.seed import SEED_FILE
from tests.support.factories import create


@pytest.mark.parametrize("lang", ["all", "ru", "ky", "en"])
async def test_every_seed_body_is_what_the_schema_writes(seeded: httpx.AsyncClient, lang: str) -> None:
    checked = 0
    for spec in SPECS:
        r = await seeded.get(f"/v1/{spec.plural}", params={"limit": 100, "lang": lang})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert items, spec.kind
        for item in items:
            assert item == spec.out_schema.model_validate(item).model_dump(mode="json"), item["slug"]
            one = await seeded.get(f"/v1/{spec.plural}/{item['slug']}", params={"lang": lang})
            assert one.status_code == 200
            assert one.json() == item  # a detail and its list entry agree
            checked += 1
    assert checked == len(SEED_FILE.read_text(encoding="utf-8").splitlines())  # the whole seed


async def test_timestamps_are_rfc3339_utc(seeded: httpx.AsyncClient) -> None:
    item = (await seeded.get("/v1/laws", params={"limit": 1})).json()["items"][0]
    assert item["created_at"].endswith("Z") and "T" in item["created_at"]


async def test_writes_answer_with_what_reads_show(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    """Relations both ways and participants, through the write answers, the detail and the list."""
    base = await create(client, editor, "law")
    amending = await create(
        client, editor, "law", related=[{"type": "amends", "kind": "law", "slug": base["slug"]}]
    )
    org = await create(client, editor, "organization")
    program = await create(
        client,
        editor,
        "program",
        participants=[
            {"organization": org["slug"], "role": "implementer"},
            {"name": "A Donor", "role": "donor"},
        ],
    )
    for kind, written in (("laws", base), ("laws", amending), ("organizations", org), ("programs", program)):
        read = (await client.get(f"/v1/{kind}/{written['slug']}", headers=editor)).json()
        spec = next(s for s in SPECS if s.plural == kind)
        assert read == spec.out_schema.model_validate(read).model_dump(mode="json")
        listed = (await client.get(f"/v1/{kind}", params={"limit": 100}, headers=editor)).json()["items"]
        assert read in listed
        if written is not base and written is not org:
            assert read == written  # nothing changed since the write answered
    base_read = (await client.get(f"/v1/laws/{base['slug']}")).json()
    assert [(r["type"], r["direction"], r["slug"]) for r in base_read["relations"]] == [
        ("amends", "incoming", amending["slug"])
    ]
    org_read = (await client.get(f"/v1/organizations/{org['slug']}")).json()
    assert [(r["type"], r["role"], r["slug"]) for r in org_read["relations"]] == [
        ("participant", "implementer", program["slug"])
    ]
    assert [p["name"] for p in program["participants"]] == [org["name"], "A Donor"]
