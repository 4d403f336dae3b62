from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Change, Record, Revision
from tests.support.factories import BUILDERS, PLURAL, create


@pytest.mark.parametrize("kind", list(PLURAL))
async def test_create_read_replace_patch_delete(
    client: httpx.AsyncClient, editor: dict[str, str], admin: dict[str, str], kind: str
) -> None:
    made = await create(client, editor, kind)
    url = f"/v1/{PLURAL[kind]}/{made['slug']}"
    assert made["version"] == 1 and made["kind"] == kind

    body = BUILDERS[kind](slug=made["slug"], countries=["UZ", "TJ"])
    put = await client.put(url, json=body, headers={**editor, "If-Match": '"v1-en"'})
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 2 and put.json()["countries"] == ["UZ", "TJ"]

    patch = await client.patch(
        url,
        json={"countries": ["KG"], "summary" if kind != "organization" else "description": None},
        headers={**editor, "If-Match": "2"},
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["version"] == 3 and patch.json()["countries"] == ["KG"]

    stale = await client.patch(url, json={"countries": ["KZ"]}, headers={**editor, "If-Match": '"v2-en"'})
    assert stale.status_code == 412
    assert (await client.get(url)).json()["countries"] == ["KG"]

    # Deleting is an admin's: an editor gets 403 and the record stays.
    refused = await client.delete(url, headers=editor)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(url)).status_code == 200
    assert (await client.delete(url, headers=admin)).status_code == 204
    assert (await client.get(url)).status_code == 404
    # The slug stays taken by the tombstone.
    assert (
        await client.post(f"/v1/{PLURAL[kind]}", json=BUILDERS[kind](slug=made["slug"]), headers=editor)
    ).status_code == 409


async def test_writes_need_a_key(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/laws", json=BUILDERS["law"]())
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    bad = await client.post(
        "/v1/laws", json=BUILDERS["law"](), headers={"Authorization": "Bearer mkb_nope_nope"}
    )
    assert bad.status_code == 401
    assert (await client.get("/v1/laws")).json()["total"] == 0


async def test_admin_only_route_refuses_editors(
    client: httpx.AsyncClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    topic = {
        "slug": "climate-migration",
        "labels": {"en": "Climate migration", "ru": "Климатическая миграция"},
    }
    assert (await client.post("/v1/topics", json=topic)).status_code == 401
    assert (await client.post("/v1/topics", json=topic, headers=editor)).status_code == 403
    made = await client.post("/v1/topics?lang=ru", json=topic, headers=admin)
    assert made.status_code == 201 and made.json()["label"] == "Климатическая миграция"
    assert (await client.post("/v1/topics", json=topic, headers=admin)).status_code == 409
    # The new topic can tag records at once.
    await create(client, editor, "law", topics=["climate-migration"])


async def test_no_op_replace_keeps_version(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    made = await create(client, editor, "organization")
    body = BUILDERS["organization"](slug=made["slug"])
    body["name"] = made["name"]
    again = await client.put(f"/v1/organizations/{made['slug']}", json=body, headers=editor)
    assert again.status_code == 200 and again.json()["version"] == 1


async def test_every_change_is_logged_and_revisioned(
    client: httpx.AsyncClient,
    editor: dict[str, str],
    admin: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    made = await create(client, editor, "policy")
    await client.patch(f"/v1/policies/{made['slug']}", json={"status": "expired"}, headers=editor)
    await client.delete(f"/v1/policies/{made['slug']}", headers=admin)
    async with sessionmaker() as s:
        changes = (await s.execute(select(Change.action, Change.version).order_by(Change.seq))).all()
        revisions = (
            await s.execute(select(Revision.version, Revision.key_id).order_by(Revision.version))
        ).all()
    assert [tuple(c) for c in changes] == [("created", 1), ("updated", 2), ("deleted", 3)]
    assert [r[0] for r in revisions] == [1, 2, 3] and all(r[1] is not None for r in revisions)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"countries": ["XX"]}, "/countries/0"),
        ({"countries": ["KG", "ZZ"]}, "/countries/1"),
        ({"topics": ["labour-migration", "no-such-topic"]}, "/topics/1"),
        ({"title": {"fr": "Loi"}}, "/title/fr"),
        ({"title": {}}, "/title"),
        ({"instrument_type": "bylaw"}, "/instrument_type"),
        ({"adopted_on": "2023-02-30"}, "/adopted_on"),
        ({"adopted_on": "March 2008"}, "/adopted_on"),
        ({"related": [{"type": "amends", "kind": "law", "slug": "missing-law"}]}, "/related/0/slug"),
        ({"related": [{"type": "amends", "kind": "organization", "slug": "x1"}]}, "/related/0/slug"),
        ({"slug": "Not A Slug"}, "/slug"),
        ({"unknown_field": 1}, "/unknown_field"),
        ({"source_urls": ["javascript:alert(1)"]}, "/source_urls/0"),
        ({"translation_kinds": {"ru": "guessed"}}, "/translation_kinds/ru"),
    ],
)
async def test_validation_names_the_field(
    client: httpx.AsyncClient, editor: dict[str, str], body: dict[str, object], path: str
) -> None:
    r = await client.post("/v1/laws", json=BUILDERS["law"](**body), headers=editor)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert path in [e["path"] for e in r.json()["errors"]], r.json()
    assert (await client.get("/v1/laws", headers=editor)).json()["total"] == 0


async def test_relation_type_must_fit_kinds(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    org = await create(client, editor, "organization")
    r = await client.post(
        "/v1/laws",
        json=BUILDERS["law"](related=[{"type": "amends", "kind": "organization", "slug": org["slug"]}]),
        headers=editor,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "/related/0/type"


async def test_participant_must_name_a_known_org(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    r = await client.post(
        "/v1/programs",
        json=BUILDERS["program"](participants=[{"organization": "org-nope", "role": "donor"}]),
        headers=editor,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "/participants/0/organization"


async def test_patch_rejects_bad_merge_and_keeps_record(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    made = await create(client, editor, "law")
    url = f"/v1/laws/{made['slug']}"
    for patch in ([1, 2], {"instrument_type": None}, {"countries": "KG"}, {"title": None}):
        r = await client.patch(url, json=patch, headers=editor)
        assert r.status_code == 422, (patch, r.text)
    assert (await client.get(url)).json()["version"] == 1


async def test_unicode_round_trips(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    title = {
        "uz": "Oʻzbekiston Respublikasining “Mehnat migratsiyasi toʻgʻrisida”gi qonuni",
        "kk": "Қазақстан Республикасының «Халықтың көші-қоны туралы» Заңы",
        "tg": "Қонуни Ҷумҳурии Тоҷикистон «Дар бораи муҳоҷират»",
        "en": "Mixed script: Закон / Qonun",
    }
    made = await create(client, editor, "law", title=title, slug=None)
    assert made["title"] == title
    assert made["slug"].startswith("law-mixed-script-zakon-qonun")
    got = (await client.get(f"/v1/laws/{made['id']}?lang=uz")).json()
    assert got["display"]["title"]["text"] == title["uz"]


async def test_derived_slugs_are_unique(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    a = await create(client, editor, "policy", slug=None, title={"en": "Migration Concept"})
    b = await create(client, editor, "policy", slug=None, title={"en": "Migration Concept"})
    assert a["slug"] == "policy-migration-concept" and b["slug"] == "policy-migration-concept-2"


async def test_records_counted_by_kind(
    client: httpx.AsyncClient, editor: dict[str, str], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for kind in PLURAL:
        await create(client, editor, kind)
    async with sessionmaker() as s:
        kinds = dict((await s.execute(select(Record.kind, func.count()).group_by(Record.kind))).all())
    assert kinds == dict.fromkeys(PLURAL, 1)


async def test_revisions_keep_who_when_and_what_was_replaced(
    client: httpx.AsyncClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    made = await create(client, editor, "law", number="1")
    url = f"/v1/laws/{made['slug']}"
    await client.patch(url, json={"number": "2"}, headers=editor)
    await client.delete(url, headers=admin)
    assert (await client.get(f"{url}/revisions")).status_code == 401
    history = (await client.get(f"{url}/revisions", headers=editor)).json()["items"]
    assert [(h["version"], h["action"]) for h in history] == [(3, "deleted"), (2, "updated"), (1, "created")]
    assert history[2]["previous"] == {} and history[1]["previous"]["number"] == "1"
    assert history[0]["previous"]["number"] == "2" and all(h["key_id"] for h in history)
    assert history[1]["diff"] == {"number": "2"}  # what the update did
    assert (
        history[2]["diff"]["number"] == "1" and history[0]["diff"] == {}
    )  # creation; deletion keeps content


async def test_revisions_page_like_every_list(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    made = await create(client, editor, "law", number="0")
    url = f"/v1/laws/{made['slug']}"
    for n in range(1, 5):
        assert (await client.patch(url, json={"number": str(n)}, headers=editor)).status_code == 200
    whole = (await client.get(f"{url}/revisions", headers=editor)).json()
    assert whole["total"] == 5 and whole["next_cursor"] is None and len(whole["items"]) == 5
    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{url}/revisions", params=params, headers=editor)).json()
        assert page["total"] == 5
        pages.append(page["items"])
        if (cursor := page["next_cursor"]) is None:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    # Paged, each revision still carries the diff it made (the one that starts a page too).
    assert [i for p in pages for i in p] == whole["items"]
    bad = await client.get(f"{url}/revisions", params={"cursor": "WyIteCJd"}, headers=editor)
    assert bad.status_code == 400


async def test_restore_undeletes_and_brings_versions_forward(
    client: httpx.AsyncClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    made = await create(client, editor, "policy", status="active")
    url = f"/v1/policies/{made['slug']}"
    await client.patch(url, json={"status": "expired"}, headers=editor)  # v2
    back = await client.post(f"{url}/restore?version=1", headers=editor)  # v3 = v1's content
    assert back.status_code == 200 and back.json()["status"] == "active" and back.json()["version"] == 3
    assert (await client.post(f"{url}/restore", headers=editor)).status_code == 409  # not deleted
    await client.delete(url, headers=admin)  # v4
    assert (await client.get(url)).status_code == 404
    assert (await client.post(f"{url}/restore?version=1", headers=editor)).status_code == 409
    undeleted = await client.post(f"{url}/restore", headers=editor)
    assert undeleted.status_code == 200 and undeleted.json()["version"] == 5
    assert (await client.get(url)).json()["status"] == "active"
    assert (await client.post(f"{url}/restore?version=9", headers=editor)).status_code == 422
    actions = [h["action"] for h in (await client.get(f"{url}/revisions", headers=editor)).json()["items"]]
    assert actions == ["restored", "deleted", "updated", "updated", "created"]
    assert (await client.post(f"{url}/restore")).status_code == 401


@pytest.mark.parametrize("method", ["put", "patch"])
async def test_slugs_are_stable(client: httpx.AsyncClient, editor: dict[str, str], method: str) -> None:
    """A change of slug by PUT or PATCH is refused (422, pointer /slug) and changes nothing; the
    detail says how to get a new slug. Import, which upserts by (kind, slug), still updates."""
    made = await create(client, editor, "law")
    url = f"/v1/laws/{made['slug']}"
    body = BUILDERS["law"](slug="law-renamed-elsewhere", countries=["TJ"])
    if method == "patch":
        r = await client.patch(
            url, json={"slug": "law-renamed-elsewhere", "countries": ["TJ"]}, headers=editor
        )
    else:
        r = await client.put(url, json=body, headers=editor)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert [e["path"] for e in problem["errors"]] == ["/slug"]
    assert "stable" in problem["detail"] and "create a new record" in problem["detail"]
    kept = await client.get(url)
    assert kept.json()["version"] == 1 and kept.json()["countries"] == made["countries"]
    assert (await client.get("/v1/laws/law-renamed-elsewhere")).status_code == 404

    line = {"kind": "law", **BUILDERS["law"](slug=made["slug"], countries=["TJ"])}
    imported = await client.post(
        "/v1/import",
        content=json.dumps(line) + "\n",
        headers={**editor, "Content-Type": "application/x-ndjson"},
    )
    assert imported.status_code == 200, imported.text
    assert (await client.get(url)).json()["countries"] == ["TJ"]
