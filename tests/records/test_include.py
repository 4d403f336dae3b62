"""Fewer round trips: `include=` embeds the records a response names (one level, in `included`, by
id), and `?id=…` reads a batch by ids or slugs in the order asked, naming the ones not found."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.records.include import MAX_IDS, include_names
from app.registry import KINDS, SPECS
from tests.support.factories import PLURAL, create
from tests.support.fixtures import QueryCounter


async def _web(client: httpx.AsyncClient, editor: dict[str, str]) -> dict[str, Any]:
    """A law amended by another; an organization (and a draft one) organizing an event of a
    program, about the law; a publication out of the event."""
    law = await create(client, editor, "law")
    amending = await create(
        client, editor, "law", related=[{"type": "amends", "kind": "law", "slug": law["slug"]}]
    )
    org = await create(client, editor, "organization")
    hidden = await create(client, editor, "organization", publication="draft")
    program = await create(
        client, editor, "program", participants=[{"organization": org["slug"], "role": "donor"}]
    )
    event = await create(
        client,
        editor,
        "event",
        program=program["slug"],
        concerns=[{"kind": "law", "slug": law["slug"]}],
        organizers=[
            {"organization": org["slug"], "role": "organizer"},
            {"organization": hidden["slug"], "role": "host"},
            {"name": "A ministry", "role": "partner"},
        ],
    )
    publication = await create(
        client,
        editor,
        "publication",
        events=[event["slug"]],
        publishers=[{"organization": org["slug"], "role": "publisher"}],
    )
    return {
        "law": law,
        "amending": amending,
        "org": org,
        "hidden": hidden,
        "program": program,
        "event": event,
        "publication": publication,
    }


async def _item(
    client: httpx.AsyncClient, kind: str, slug: str, headers: dict[str, str] | None = None
) -> Any:
    r = await client.get(f"/v1/{PLURAL[kind]}/{slug}", headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


async def test_include_embeds_what_each_relation_names(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    web = await _web(client, editor)
    ev, org, program, law = web["event"], web["org"], web["program"], web["law"]

    plain = (await client.get("/v1/events")).json()
    assert set(plain) == {"items", "total", "next_cursor"}  # the envelope is unchanged without include

    async def included(url: str) -> dict[str, Any]:
        r = await client.get(url)
        assert r.status_code == 200, r.text
        got: dict[str, Any] = r.json()["included"]
        return got

    page = await included("/v1/events?include=organizers,program,concerns")
    # The draft organizer is not embedded for the public; a named-only organizer has no record.
    assert set(page) == {org["id"], program["id"], law["id"]}
    for record_id, record in page.items():
        assert record["id"] == record_id
        # The related record's public representation: the same as its own detail (= list item).
        assert record == await _item(client, record["kind"], record["slug"])
    assert set(await included("/v1/events?include=program")) == {program["id"]}
    assert set(await included("/v1/events?include=organizers&include=concerns")) == {org["id"], law["id"]}

    detail = (await client.get(f"/v1/events/{ev['slug']}?include=organizers")).json()
    assert set(detail["included"]) == {org["id"]}
    assert "included" not in (await client.get(f"/v1/events/{ev['slug']}")).json()

    # Incoming: what points at a law (the amending law and the event); what an organization takes part in.
    assert set(await included(f"/v1/laws/{law['slug']}?include=incoming")) == {
        web["amending"]["id"],
        ev["id"],
    }
    assert set(await included(f"/v1/laws/{web['amending']['slug']}?include=related")) == {law["id"]}
    assert set(await included(f"/v1/organizations/{org['slug']}?include=incoming")) == {
        program["id"],
        ev["id"],
        web["publication"]["id"],
    }
    assert set(await included(f"/v1/programs/{program['slug']}?include=participants")) == {org["id"]}
    assert set(await included("/v1/publications?include=events,publishers")) == {ev["id"], org["id"]}
    # An embedded law is its list item: its amendments are filled as in a list.
    embedded_law = (await included(f"/v1/events/{ev['slug']}?include=concerns"))[law["id"]]
    assert [a["slug"] for a in embedded_law["amendments"]] == [web["amending"]["slug"]]


async def test_include_follows_the_visibility_rule(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    web = await _web(client, editor)
    hidden = web["hidden"]
    url = f"/v1/events/{web['event']['slug']}?include=organizers"
    public = (await client.get(url)).json()["included"]
    assert hidden["id"] not in public
    seen = (await client.get(url, headers=editor)).json()["included"]
    assert seen[hidden["id"]] == await _item(client, "organization", hidden["slug"], editor)
    assert seen[hidden["id"]]["publication"] == "draft"
    # A draft record's own relations are not a way in either.
    draft_event = await create(
        client,
        editor,
        "event",
        publication="draft",
        organizers=[{"organization": hidden["slug"], "role": "host"}],
    )
    assert (await client.get(f"/v1/events/{draft_event['slug']}?include=organizers")).status_code == 404


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.kind)
async def test_unknown_include_is_422_naming_the_allowed(client: httpx.AsyncClient, spec: Any) -> None:
    names = include_names(spec)
    assert names[0] == "related" and names[-1] == "incoming"
    for url in (f"/v1/{spec.plural}?include=related,nope", f"/v1/{spec.plural}/some-slug?include=nope"):
        r = await client.get(url)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        error = r.json()["errors"][0]
        assert error["path"] == "/include"
        assert "'nope'" in error["message"] and ", ".join(names) in error["message"]


def test_openapi_declares_include_per_kind() -> None:
    from app.main import create_app

    schema = create_app().openapi()
    for spec in SPECS:
        for path in (f"/v1/{spec.plural}", f"/v1/{spec.plural}/{{key}}"):
            params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
            include = params["include"]
            assert include["schema"]["items"]["enum"] == list(include_names(spec))
            assert include["schema"]["examples"][0] in include_names(spec)
        listing = schema["paths"][f"/v1/{spec.plural}"]["get"]
        assert "id" in {p["name"] for p in listing["parameters"]}
        page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert {"included", "missing"} <= set(schema["components"]["schemas"][page]["properties"])


async def test_batch_read_by_ids_and_slugs(
    client: httpx.AsyncClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    a, b, c = [await create(client, editor, "law") for _ in range(3)]
    draft = await create(client, editor, "law", publication="draft")
    org = await create(client, editor, "organization")
    deleted = await create(client, editor, "law")
    assert (await client.delete(f"/v1/laws/{deleted['slug']}", headers=admin)).status_code == 204
    unknown = str(uuid.uuid4())
    asked = [c["slug"], a["id"], "law-no-such", draft["slug"], org["slug"], b["slug"], unknown, deleted["id"]]

    r = await client.get("/v1/laws", params=[("id", k) for k in asked])
    assert r.status_code == 200, r.text
    page = r.json()
    assert [i["slug"] for i in page["items"]] == [c["slug"], a["slug"], b["slug"]]  # the order asked
    assert page["missing"] == ["law-no-such", draft["slug"], org["slug"], unknown, deleted["id"]]
    assert page["total"] == 3 and page["next_cursor"] is None
    assert page["items"][0] == await _item(client, "law", c["slug"])
    assert "included" not in page

    # Editors see drafts; comma-separated works; a record asked twice (by slug and id) comes once.
    r = await client.get(f"/v1/laws?id={draft['id']},{a['slug']}&id={a['id']}", headers=editor)
    assert [i["slug"] for i in r.json()["items"]] == [draft["slug"], a["slug"]]
    assert r.json()["missing"] == []

    # With include=.
    amending = await create(
        client, editor, "law", related=[{"type": "amends", "kind": "law", "slug": a["slug"]}]
    )
    r = await client.get(f"/v1/laws?id={amending['slug']}&include=related")
    assert set(r.json()["included"]) == {a["id"]}


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("id=" + ",".join(f"law-{n}" for n in range(MAX_IDS + 1)), "/id"),
        ("id=law-a&country=KG", "/country"),
        ("id=law-a&sort=-slug", "/sort"),
        ("id=law-a&limit=5", "/limit"),
        ("id=law-a&instrument_type=law", "/instrument_type"),
        ("id=law%20a", "/id/0"),
        ("id=law-a,law_b", "/id/1"),
        ("id=" + "a" * 121, "/id/0"),
    ],
)
async def test_bad_batch_is_422(client: httpx.AsyncClient, query: str, path: str) -> None:
    r = await client.get(f"/v1/laws?{query}")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["path"] == path


async def test_batch_cap_is_inclusive(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/laws?id=" + ",".join(f"law-{n}" for n in range(MAX_IDS)))
    assert r.status_code == 200 and len(r.json()["missing"]) == MAX_IDS


# ---- query counts ----------------------------------------------------------------------------


async def _event_with_everything(client: httpx.AsyncClient, editor: dict[str, str]) -> dict[str, Any]:
    org = await create(client, editor, "organization")
    program = await create(
        client, editor, "program", participants=[{"organization": org["slug"], "role": "donor"}]
    )
    law = await create(client, editor, "law")
    await create(client, editor, "law", related=[{"type": "amends", "kind": "law", "slug": law["slug"]}])
    return await create(
        client,
        editor,
        "event",
        program=program["slug"],
        concerns=[{"kind": "law", "slug": law["slug"]}],
        organizers=[{"organization": org["slug"], "role": "organizer"}],
    )


async def test_list_with_include_takes_a_constant_number_of_queries(
    client: httpx.AsyncClient, editor: dict[str, str], queries: QueryCounter
) -> None:
    url = "/v1/events?limit=100&include=" + ",".join(include_names(KINDS["event"]))
    await _event_with_everything(client, editor)
    queries.reset()
    first = await client.get(url)
    assert first.status_code == 200 and len(first.json()["included"]) == 3
    few = queries.count
    for _ in range(12):
        await _event_with_everything(client, editor)
    queries.reset()
    page = (await client.get(url)).json()
    assert len(page["items"]) == 13 and len(page["included"]) == 13 * 3
    assert queries.count == few, queries.statements
    # The page (rows, count, edges) and one read per kind embedded (rows, edges; laws' amendments).
    assert few <= 3 + 3 * 2 + 1


async def test_batch_of_50_takes_a_constant_number_of_queries(
    client: httpx.AsyncClient, editor: dict[str, str], queries: QueryCounter
) -> None:
    events = [await _event_with_everything(client, editor) for _ in range(50)]
    keys = [e["slug"] if n % 2 else e["id"] for n, e in enumerate(events)]  # mixed

    async def batch(some: list[str]) -> tuple[int, dict[str, Any]]:
        queries.reset()
        r = await client.get("/v1/events", params={"id": ",".join(some), "include": "organizers,concerns"})
        assert r.status_code == 200, r.text
        return queries.count, r.json()

    few, small = await batch(keys[:2])
    assert len(small["items"]) == 2
    many, large = await batch(keys)
    assert [i["id"] for i in large["items"]] == [e["id"] for e in events]
    assert len(large["included"]) == 100
    assert many == few, queries.statements
