"""Input a new user might send by mistake or malice: always a 4xx problem, never a change."""

from __future__ import annotations

import httpx
import pytest

from tests.support.factories import BUILDERS, create


async def _assert_problem(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["title"] and body["type"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "query",
    [
        "limit=100000",
        "limit=0",
        "limit=abc",
        "cursor=garbage",
        "cursor=WyJzbHVnIiwiYSIsIm5vdC1hLXV1aWQiXQ",  # well-formed JSON, bad id inside
        "cursor=" + "A" * 3000,
        "country=KG'%20OR%20'1'='1",
        "country=KG);DROP%20TABLE%20records;--",
        "topic=labour-migration&status=in_force'--",
        "sort=title;DROP",
        "sort=-number",
        "from=20O8",
        "to=2008-13",
        "updated_since=yesterday",
        "lang=../../etc",
        "q=" + "x" * 600,
    ],
)
async def test_bad_query_parameters(client: httpx.AsyncClient, editor: dict[str, str], query: str) -> None:
    await create(client, editor, "law")
    r = await client.get(f"/v1/laws?{query}")
    # A cursor we could not have issued is a bad request; anything else fails validation.
    await _assert_problem(r, 400 if query.startswith("cursor=") and len(query) < 2048 else 422)


async def test_sql_in_free_text_is_just_text(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await create(client, editor, "law")
    r = await client.get("/v1/laws?q=%27%3B%20DROP%20TABLE%20records%3B--")
    assert r.status_code == 200 and r.json()["total"] == 0
    assert (await client.get("/v1/laws")).json()["total"] == 1


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xfe\xfa not utf-8", "application/json"),
        (b'{"title": {"en": "\xc3\x28"}}', "application/json"),
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b'"a string"', "application/json"),
        (b"title=x", "application/x-www-form-urlencoded"),
        (b'{"title": {"en": 5}, "instrument_type": ["law"]}', "application/json"),
    ],
)
async def test_bad_bodies(
    client: httpx.AsyncClient, editor: dict[str, str], content: bytes, content_type: str
) -> None:
    r = await client.post("/v1/laws", content=content, headers={**editor, "Content-Type": content_type})
    assert 400 <= r.status_code < 500 and r.headers["content-type"] == "application/problem+json", r.text
    assert (await client.get("/v1/laws", headers=editor)).json()["total"] == 0


@pytest.mark.parametrize("date", ["２０１９", "2019-０３", "١٩٩٩", "2019-03-1９"])
async def test_dates_take_ascii_digits_only(
    client: httpx.AsyncClient, editor: dict[str, str], date: str
) -> None:
    body = BUILDERS["law"](adopted_on=date)
    r = await client.post("/v1/laws", json=body, headers=editor)
    await _assert_problem(r, 422)
    assert r.json()["errors"][0]["path"] == "/adopted_on", r.json()
    await _assert_problem(await client.get("/v1/laws", params={"from": date}), 422)
    assert (await client.get("/v1/laws", headers=editor)).json()["total"] == 0


async def test_ten_megabyte_body_is_413(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    body = BUILDERS["law"](summary={"en": "x" * (10 * 1024 * 1024)})
    r = await client.post("/v1/laws", json=body, headers=editor)
    await _assert_problem(r, 413)
    assert (await client.get("/v1/laws", headers=editor)).json()["total"] == 0


async def test_body_without_length_is_still_capped(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(12):
            yield b"x" * (1024 * 1024)

    r = await client.post(
        "/v1/laws", content=chunks(), headers={**editor, "Content-Type": "application/json"}
    )
    await _assert_problem(r, 413)


@pytest.mark.parametrize("key", ["a.b", "a" * 200, "..%2F..%2Fetc", "00000000-0000-0000-0000-000000000000"])
async def test_odd_record_keys(client: httpx.AsyncClient, key: str) -> None:
    r = await client.get(f"/v1/laws/{key}")
    assert r.status_code in (404, 422) and r.headers["content-type"] == "application/problem+json"


async def test_bad_if_match_is_400(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    made = await create(client, editor, "law")
    r = await client.patch(
        f"/v1/laws/{made['slug']}", json={"number": "1"}, headers={**editor, "If-Match": "abc"}
    )
    await _assert_problem(r, 400)
    assert (await client.get(f"/v1/laws/{made['slug']}")).json()["version"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/v1/laws?q=%00",
        "/v1/laws?instrument_type=law%00",
        "/v1/laws?topic=a%00b",
        "/v1/laws/abc%00",
        "/v1/programs?organization=x%00",
    ],
)
async def test_nul_in_url_is_400(client: httpx.AsyncClient, url: str) -> None:
    await _assert_problem(await client.get(url), 400)


async def test_nul_in_body_is_422(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    for body in (BUILDERS["law"](number="6\u00001"), BUILDERS["law"](title={"en": "a\u0000b"})):
        r = await client.post("/v1/laws", json=body, headers=editor)
        await _assert_problem(r, 422)
    assert (await client.get("/v1/laws", headers=editor)).json()["total"] == 0


async def test_an_amendment_cycle_is_refused_as_import_refuses_it(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    """amends/repeals/replaces order laws in time: an edit that closes a cycle is refused (an
    export holding one would not import again), and nothing of it is written."""
    for slug in ("law-cycle-a", "law-cycle-b", "law-cycle-c"):
        await create(client, editor, "law", slug=slug)
    merge = {**editor, "Content-Type": "application/merge-patch+json"}

    async def relate(source: str, type_: str, target: str | None) -> httpx.Response:
        related = [{"type": type_, "kind": "law", "slug": target}] if target else []
        return await client.patch(f"/v1/laws/{source}", json={"related": related}, headers=merge)

    assert (await relate("law-cycle-a", "amends", "law-cycle-b")).status_code == 200
    assert (await relate("law-cycle-b", "replaces", "law-cycle-c")).status_code == 200
    refused = await relate("law-cycle-c", "repeals", "law-cycle-a")
    await _assert_problem(refused, 422)
    assert refused.json()["errors"][0]["path"] == "/related/0/slug"
    assert (await client.get("/v1/laws/law-cycle-c")).json()["version"] == 1
    assert (await relate("law-cycle-c", "related", "law-cycle-a")).status_code == 200  # not an order
    # The record's own edges are the ones its write replaces: a turn of the edge is no cycle.
    assert (await relate("law-cycle-b", "amends", "law-cycle-a")).status_code == 422
    assert (await relate("law-cycle-a", "amends", None)).status_code == 200
    assert (await relate("law-cycle-b", "amends", "law-cycle-a")).status_code == 200
    export = await client.get("/v1/export", params={"kind": "law"})
    dry = await client.post(
        "/v1/import",
        params={"dry_run": "true"},
        content=export.content,
        headers={**editor, "Content-Type": "application/x-ndjson"},
    )
    assert dry.status_code == 200, dry.text
