from __future__ import annotations

import httpx
import pytest

from tests.support.factories import BUILDERS, create


async def test_list_envelope_and_filters(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    kg = await create(client, editor, "law", countries=["KG"], topics=["labour-migration"])
    tj = await create(
        client, editor, "law", countries=["TJ"], topics=["trafficking"], instrument_type="decree"
    )
    await create(client, editor, "law", countries=["KZ"], status="repealed")

    body = (await client.get("/v1/laws")).json()
    assert set(body) == {"items", "total", "next_cursor"}
    assert body["total"] == 3 and body["next_cursor"] is None

    async def slugs(query: str) -> set[str]:
        r = await client.get(f"/v1/laws?{query}")
        assert r.status_code == 200, r.text
        return {i["slug"] for i in r.json()["items"]}

    assert await slugs("country=KG") == {kg["slug"]}
    assert await slugs("country=kg,TJ") == {kg["slug"], tj["slug"]}
    assert await slugs("country=KG&country=TJ") == {kg["slug"], tj["slug"]}
    assert await slugs("country=KG,TJ&topic=trafficking") == {tj["slug"]}
    assert await slugs("instrument_type=decree") == {tj["slug"]}
    assert len(await slugs("status=in_force")) == 2


async def test_partial_date_ranges(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    year = await create(client, editor, "law", adopted_on="2008")
    month = await create(client, editor, "law", adopted_on="2008-03")
    day = await create(client, editor, "law", adopted_on="2008-03-19")
    later = await create(client, editor, "law", adopted_on="2011-01-02")

    async def slugs(query: str) -> set[str]:
        return {i["slug"] for i in (await client.get(f"/v1/laws?{query}")).json()["items"]}

    assert await slugs("from=2008&to=2008") == {year["slug"], month["slug"], day["slug"]}
    # A record dated only "2008" may fall in April 2008: it overlaps the range.
    assert await slugs("from=2008-04&to=2010") == {year["slug"]}
    assert await slugs("from=2009") == {later["slug"]}
    got = (await client.get(f"/v1/laws/{month['slug']}")).json()
    assert got["adopted_on"] == "2008-03"  # precision kept


@pytest.mark.parametrize("sort", ["slug", "-slug", "adopted_on", "-adopted_on", "-updated_at", "created_at"])
async def test_cursor_pages_neither_skip_nor_repeat(
    client: httpx.AsyncClient, editor: dict[str, str], sort: str
) -> None:
    dates = ["2001", None, "2001", "1999-05", None, "2010-01-01", "2001"]
    made = {(await create(client, editor, "law", adopted_on=d))["slug"] for d in dates}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        url = f"/v1/laws?limit=2&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url)).json()
        assert page["total"] == len(dates)
        seen += [i["slug"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == len(dates)
    assert set(seen) == made
    if sort == "adopted_on":
        ordered = [d for d in sorted(x for x in dates if x)]
        got = [(await client.get(f"/v1/laws/{s}")).json()["adopted_on"] for s in seen]
        assert got[: len(ordered)] == ordered and got[len(ordered) :] == [None, None]  # nulls last


async def test_cursor_from_another_sort_is_rejected(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    for _ in range(3):
        await create(client, editor, "law")
    cursor = (await client.get("/v1/laws?limit=1&sort=slug")).json()["next_cursor"]
    r = await client.get(f"/v1/laws?limit=1&sort=-slug&cursor={cursor}")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"


async def test_detail_by_slug_and_id_with_language(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    law = await create(
        client, editor, "law", title={"en": "On External Migration", "ru": "О внешней миграции"}
    )
    by_id = await client.get(f"/v1/laws/{law['id']}?lang=ru")
    by_slug = await client.get(
        f"/v1/laws/{law['slug']}", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
    )
    assert by_id.status_code == by_slug.status_code == 200
    for r in (by_id, by_slug):
        display = r.json()["display"]
        assert display["title"] == {"text": "О внешней миграции", "lang": "ru", "translation": "official"}
        # No Russian summary: falls back to the original language, then English.
        assert display["summary"]["lang"] == "en" and display["summary"]["translation"] == "unofficial"
        assert r.headers["content-language"] == "ru"
    # Kyrgyz asked, none there: original (ru) comes next in the chain.
    ky = (await client.get(f"/v1/laws/{law['slug']}?lang=ky")).json()["display"]["title"]
    assert ky["lang"] == "ru"
    everything = (await client.get(f"/v1/laws/{law['slug']}?lang=all")).json()
    assert everything["display"] is None
    assert everything["title"] == {"en": "On External Migration", "ru": "О внешней миграции"}


async def test_unknown_language_is_422(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/laws?lang=xx")
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "/lang"


async def test_etag_and_304(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    law = await create(client, editor, "law")
    first = await client.get(f"/v1/laws/{law['slug']}?lang=en")
    again = await client.get(
        f"/v1/laws/{law['slug']}?lang=en", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    listing = await client.get("/v1/laws")
    assert (
        await client.get("/v1/laws", headers={"If-None-Match": listing.headers["etag"]})
    ).status_code == 304
    await client.patch(f"/v1/laws/{law['slug']}", json={"number": "7"}, headers=editor)
    changed = await client.get(
        f"/v1/laws/{law['slug']}?lang=en", headers={"If-None-Match": first.headers["etag"]}
    )
    assert changed.status_code == 200 and changed.json()["number"] == "7"


async def test_missing_record_is_problem_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/organizations/no-such-org")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404 and "no-such-org" in r.json()["detail"]


async def test_drafts_hidden_from_the_public(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    draft = await create(client, editor, "organization", publication="draft")
    assert (await client.get(f"/v1/organizations/{draft['slug']}")).status_code == 404
    assert (await client.get("/v1/organizations")).json()["total"] == 0
    assert (await client.get("/v1/organizations?publication=draft")).status_code == 403
    seen = (await client.get("/v1/organizations?publication=draft", headers=editor)).json()
    assert [i["slug"] for i in seen["items"]] == [draft["slug"]]


async def test_relations_navigable_both_ways(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    base = await create(client, editor, "law")
    amending = await create(
        client, editor, "law", related=[{"type": "amends", "kind": "law", "slug": base["slug"]}]
    )
    org = await create(client, editor, "organization")
    prog = await create(
        client,
        editor,
        "program",
        participants=[{"organization": org["slug"], "role": "implementer"}, {"name": "EU", "role": "donor"}],
    )
    back = (await client.get(f"/v1/laws/{base['slug']}")).json()["relations"]
    assert [(r["type"], r["direction"], r["slug"]) for r in back] == [
        ("amends", "incoming", amending["slug"])
    ]
    assert back[0]["title"]["en"] == amending["title"]["en"]
    parts = prog["participants"]
    assert parts[0]["organization"] == org["slug"] and parts[0]["role"] == "implementer"
    assert parts[1] == {"organization": None, "organization_id": None, "name": "EU", "role": "donor"}
    org_rel = (await client.get(f"/v1/organizations/{org['slug']}")).json()["relations"]
    assert [(r["type"], r["slug"], r["role"]) for r in org_rel] == [
        ("participant", prog["slug"], "implementer")
    ]
    by_org = (await client.get(f"/v1/programs?organization={org['slug']}&role=implementer")).json()
    assert [p["slug"] for p in by_org["items"]] == [prog["slug"]]
    assert (await client.get(f"/v1/programs?organization={org['slug']}&role=donor")).json()["total"] == 0


async def test_list_q_filters_within_kind(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    hit = await create(client, editor, "policy", title={"en": "Roadmap on remittances 100%"})
    await create(client, editor, "policy")
    found = (await client.get("/v1/policies?q=remittances")).json()
    assert [p["slug"] for p in found["items"]] == [hit["slug"]]
    assert (await client.get("/v1/policies?q=%25")).json()["total"] == 1  # % is literal, not a wildcard


async def test_etag_follows_related_records(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    """A program's body names its organizations: renaming one changes the program's ETag, though the
    program's own version stays the same."""
    org = await create(client, editor, "organization")
    made = await client.post(
        "/v1/programs",
        json=BUILDERS["program"](participants=[{"organization": org["slug"], "role": "donor"}]),
        headers=editor,
    )
    url = f"/v1/programs/{made.json()['slug']}?lang=en"
    first = await client.get(url)
    assert first.headers["etag"].startswith('"v1-en-')
    renamed = await client.patch(
        f"/v1/organizations/{org['slug']}", json={"name": {"en": "Renamed Donor"}}, headers=editor
    )
    assert renamed.status_code == 200
    after = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["version"] == 1
    assert "Renamed Donor" in after.text
    assert after.headers["etag"] != first.headers["etag"]
    # The new ETag still works for If-Match (it carries the version).
    patched = await client.patch(
        url, json={"status": "completed"}, headers={**editor, "If-Match": after.headers["etag"]}
    )
    assert patched.status_code == 200


async def test_list_q_meets_titles_across_scripts(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    """Titles are matched in one Latin form (app.core.text.in_latin): a Cyrillic word, its
    transliteration and the word typed without the region's special letters all find it."""
    hit = await create(
        client, editor, "policy", title={"ru": "О внешней трудовой миграции", "kk": "Көші-қон туралы"}
    )
    await create(client, editor, "policy", title={"en": "Roadmap on remittances"})
    for q in ("миграции", "MIGRATSII", "vneshney migratsii", "Көші-қон", "коши-кон", "koshi"):
        found = (await client.get("/v1/policies", params={"q": q})).json()
        assert [p["slug"] for p in found["items"]] == [hit["slug"]], q
    assert (await client.get("/v1/policies", params={"q": "туралы миграции"})).json()["total"] == 1
    # Each word as typed (a substring), not its other forms: that is what /v1/search is for.
    assert (await client.get("/v1/policies", params={"q": "миграция"})).json()["total"] == 0
