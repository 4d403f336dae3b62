from __future__ import annotations

import httpx

from tests.support.factories import create


async def test_countries_named_in_every_language(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await create(client, editor, "law", countries=["KG", "TJ"])
    await create(client, editor, "organization", countries=["KG"])
    await create(client, editor, "organization", countries=["KZ"], publication="draft")
    body = (await client.get("/v1/countries?lang=ky")).json()
    assert body["total"] >= 249
    kg = next(c for c in body["items"] if c["code"] == "KG")
    assert kg["name"] == "Кыргызстан" and kg["records"] == 2
    assert set(kg["names"]) == {"en", "ru", "ky", "kk", "uz", "tg", "tk"}
    assert kg["names"]["uz"] == "Qirgʻiziston"
    used = (await client.get("/v1/countries?used=true")).json()
    assert {c["code"] for c in used["items"]} == {"KG", "TJ"}  # the draft does not count


async def test_topics_vocabulary(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await create(client, editor, "policy", topics=["remittances", "labour-migration"])
    body = (await client.get("/v1/topics?lang=tg")).json()
    slugs = [t["slug"] for t in body["items"]]
    assert slugs[:3] == ["labour-migration", "asylum-refugees", "statelessness"] and len(slugs) == 12
    assert slugs[-1] == "migration-governance"  # added with the indicators
    remit = next(t for t in body["items"] if t["slug"] == "remittances")
    assert remit["records"] == 1 and remit["label"] == "Интиқоли пул"
    assert all(len(t["labels"]) == 7 for t in body["items"])
