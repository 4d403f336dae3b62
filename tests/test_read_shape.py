"""Record bodies are built as plain data and written with orjson (app/core/http.py), not validated
by the response model on the way out: these tests hold the two to the same bytes' meaning."""

from __future__ import annotations

import httpx
import pytest

from app.registry import KINDS
from app.seed import SEED_FILE


@pytest.fixture
async def seeded(client: httpx.AsyncClient, editor: dict[str, str]) -> httpx.AsyncClient:
    r = await client.post(
        "/v1/import",
        content=SEED_FILE.read_bytes(),
        headers={**editor, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    return client


@pytest.mark.parametrize("lang", ["all", "ru", "ky", "en"])
async def test_every_seed_body_is_what_the_schema_writes(seeded: httpx.AsyncClient, lang: str) -> None:
    checked = 0
    for spec, _ in KINDS.values():
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
    assert checked >= 75  # the whole seed


async def test_timestamps_are_rfc3339_utc(seeded: httpx.AsyncClient) -> None:
    item = (await seeded.get("/v1/laws", params={"limit": 1})).json()["items"][0]
    assert item["created_at"].endswith("Z") and "T" in item["created_at"]
