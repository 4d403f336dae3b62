"""The 500s a probe as a hostile user found (2026-12-07): each now a 4xx problem or an error line
of the import's report, and nothing written. Forged cursors are base64 JSON anyone can write."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.attachments.router import byte_range
from app.core.config import Settings, get_settings
from app.core.errors import BadRequest, RangeNotSatisfiable
from app.core.http import check_if_match
from app.indicators.formats import LineError, Reading, read
from app.main import create_app
from app.seed import load_seed
from tests.support.attachments import attach
from tests.support.factories import create


def forged(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NIL = "00000000-0000-0000-0000-000000000000"
HUGE = "9" * 5000  # past the 4,300 digits int() reads


def problem(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"


async def try_patch(client: httpx.AsyncClient, editor: dict[str, str], **headers: str) -> httpx.Response:
    """A change of law-probe's number, refused by the test: the number stays as it was."""
    ask = {
        "Content-Type": "application/merge-patch+json",
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    r = await client.patch("/v1/laws/law-probe", json={"number": "changed"}, headers={**editor, **ask})
    assert (await client.get("/v1/laws/law-probe")).json()["number"] != "changed"
    return r


@pytest.fixture
async def base(
    client: httpx.AsyncClient, editor: dict[str, str], sessionmaker: async_sessionmaker[AsyncSession]
) -> httpx.AsyncClient:
    """The seed with its figures, and one law of the test's own."""
    async with sessionmaker() as session:
        await load_seed(session)
        await session.commit()
    await create(client, editor, "law", slug="law-probe")
    return client


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_a_time_outside_the_years_in_utc_is_refused(base: httpx.AsyncClient, since: str) -> None:
    problem(await base.get("/v1/laws", params={"updated_since": since}), 422)
    problem(await base.get("/v1/organizations", params={"updated_since": since}), 422)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (
            "/v1/laws",
            {"sort": "-updated_at", "cursor": forged("-updated_at", "0001-01-01T00:00:00+14:00", NIL)},
        ),
        ("/v1/laws", {"cursor": forged("slug", "a\u0000b", NIL)}),
        ("/v1/timeline", {"cursor": forged("timeline", "\u0000", NIL, "adopted")}),
        (
            "/v1/indicators/entries-russia-work/observations",
            {"cursor": forged("country,period", "\u0000", "2020-01-01", "1")},
        ),
        (
            "/v1/indicators/entries-russia-work/observations",
            {"cursor": forged("country,period", "CA", "2020-01-01", "99999999999999999999")},
        ),
        (
            "/v1/indicators/entries-russia-work/observations",
            {"cursor": forged("country,period", "CA", "not a day", "1")},
        ),
        ("/v1/laws/law-probe/revisions", {"cursor": forged("-version", "2147483648")}),
        ("/v1/laws/law-probe/revisions", {"cursor": forged("-version", "9" * 25)}),
        (
            "/v1/laws/law-probe/attachments",
            {"cursor": forged("created_at", "0001-01-01T00:00:00+14:00", NIL)},
        ),
    ],
)
async def test_a_forged_cursor_is_a_bad_request(
    base: httpx.AsyncClient, editor: dict[str, str], path: str, params: dict[str, str]
) -> None:
    problem(await base.get(path, params=params, headers=editor), 400)


async def test_the_pages_refuse_a_forged_cursor(base: httpx.AsyncClient) -> None:
    r = await base.get("/en/timeline", params={"cursor": forged("timeline", "\u0000", NIL, "adopted")})
    assert r.status_code == 400, r.text


async def test_integers_past_the_database_are_refused(
    base: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    problem(await base.get(f"/v1/webhooks/{NIL}/deliveries", params={"cursor": 2**63}, headers=editor), 422)
    problem(await base.post("/v1/laws/law-probe/restore", params={"version": 2**31}, headers=editor), 422)


async def test_an_if_match_of_5000_digits_does_not_match(
    base: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    problem(await try_patch(base, editor, If_Match=f'"{HUGE}"'), 412)
    with pytest.raises(BadRequest):
        check_if_match('"v²"', 1)  # a digit to str.isdigit, not to int()
    check_if_match('"v001-en"', 1)


@pytest.mark.parametrize(
    "line",
    [
        b'{"kind":["law"],"slug":"law-x"}',
        b'{"kind":{"a":1},"slug":"law-x"}',
        b'{"kind":"law","n":' + HUGE.encode() + b"}",
    ],
)
async def test_an_import_line_of_odd_json_is_an_error_line(
    base: httpx.AsyncClient, editor: dict[str, str], line: bytes
) -> None:
    r = await base.post(
        "/v1/import",
        content=line + b"\n",
        headers={**editor, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code in (200, 422), r.text
    assert "law-x" not in {law["slug"] for law in (await base.get("/v1/laws?limit=100")).json()["items"]}
    body = r.json()
    errors = body.get("errors") or body.get("lines") or []
    assert errors and all(e.get("line") == 1 for e in errors), body


async def test_a_range_of_5000_digits(base: httpx.AsyncClient, editor: dict[str, str]) -> None:
    made = await attach(base, editor, "/v1/laws/law-probe", b"plain text, twenty-six b", "note.txt", "en")
    r = await base.get(made["href"], headers={**editor, "Range": f"bytes={HUGE}-"})
    assert r.status_code == 416, r.text
    r = await base.get(made["href"], headers={**editor, "Range": f"bytes=-{HUGE}"})
    assert r.status_code == 206 and r.content == b"plain text, twenty-six b"
    with pytest.raises(RangeNotSatisfiable):
        byte_range(f"bytes={HUGE}-{HUGE}", 100)  # a start past the end
    assert byte_range(f"bytes=5-{HUGE}", 100) == (5, 100)  # an end past the file: to its end


def test_a_world_bank_file_nested_50000_deep_is_one_error() -> None:
    items = list(read("wb-json", b"[" * 50000 + b"]" * 50000, Reading()))
    assert len(items) == 1 and isinstance(items[0], LineError)


async def test_head_is_get_without_the_body(base: httpx.AsyncClient, editor: dict[str, str]) -> None:
    """Every HEAD was a 405 while CORS announces HEAD."""
    for path in ("/v1/laws/law-probe", "/v1/laws", "/healthz", "/en/laws/law-probe", "/en/timeline"):
        got, head = await base.get(path), await base.head(path)
        assert head.status_code == got.status_code == 200, (path, head.status_code)
        assert head.content == b""
        for name in ("content-type", "content-length", "etag"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
    made = await attach(base, editor, "/v1/laws/law-probe", b"twelve bytes", "note.txt", "en")
    head = await base.head(made["href"], headers=editor)
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "12"
    assert (await base.head("/v1/import", headers=editor)).status_code == 405


@pytest.mark.parametrize("public", [None, "https://kb.example.org"])
async def test_absolute_links_follow_public_url_not_the_host_header(
    sessionmaker: async_sessionmaker[AsyncSession], editor: dict[str, str], public: str | None
) -> None:
    """The Atom feed, a page's canonical link and JSON-LD carry absolute links: with PUBLIC_URL set,
    a forged Host header (a cache in front would keep its answer for everyone) does not reach them."""
    app = create_app(get_settings().model_copy(update={"public_url": public}))
    app.state.services.sessionmaker = sessionmaker
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        await create(c, editor, "law", slug="law-links")
        forged_host = {"Host": "evil.example"}
        feed = await c.get("/v1/feeds/search.atom", headers=forged_host)
        page = await c.get("/en/laws/law-links", headers=forged_host)
        linked = await c.get("/v1/laws/law-links", headers={**forged_host, "Accept": "application/ld+json"})
    assert feed.status_code == page.status_code == linked.status_code == 200
    expected = public or "http://evil.example"
    self_link = (
        etree.fromstring(feed.content).find("{http://www.w3.org/2005/Atom}link[@rel='self']").get("href")
    )
    assert self_link.startswith(f"{expected}/v1/feeds/search.atom")
    canonical = lxml_html.fromstring(page.text).xpath("//link[@rel='canonical']/@href")[0]
    assert canonical == f"{expected}/en/laws/law-links"
    assert "evil.example" not in linked.text if public else "evil.example" in linked.text


def test_public_url_must_be_an_http_address() -> None:
    assert get_settings().model_copy(update={"public_url": None}).public_url is None
    for bad in ("kb.example.org", "ftp://kb.example.org", "https://kb.example.org/?a=1"):
        with pytest.raises(ValueError):
            Settings(public_url=bad)
    assert Settings(public_url="https://kb.example.org/").public_url == "https://kb.example.org"


async def test_a_json_patch_is_not_taken_for_a_merge_patch(
    base: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    r = await try_patch(base, editor, Content_Type="application/json-patch+json")
    problem(r, 415)
    assert "merge-patch" in r.json()["detail"]
