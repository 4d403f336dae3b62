"""Attachments: upload (type from the bytes, cap, one copy per content), list, download with
ranges and ETags, delete; what the public may see; bad uploads refused with nothing stored."""

from __future__ import annotations

import hashlib
import socket
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.main import create_app
from app.models import Attachment
from tests.support import documents
from tests.support.attachments import stored_files, upload
from tests.support.factories import create
from tests.support.servers import api_key, api_server, empty_database, server_env

MAX = 2 * 1024 * 1024


@pytest.fixture
async def client(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a 2 MB attachment cap."""
    app = create_app(get_settings().model_copy(update={"max_attachment_bytes": MAX}))
    app.state.services.sessionmaker = sessionmaker
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def test_upload_list_download_and_delete(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    law = await create(client, editor, "law")
    path = f"/v1/laws/{law['slug']}"
    pdf = documents.text_pdf(["Закон о внешней миграции", "Статья 2. Право на труд"])
    # The name says text; the bytes say PDF.
    r = await upload(
        client, editor, path, pdf, "zakon.txt", title="Текст закона", languages=["ru", "uz-cyrl"]
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["media_type"] == "application/pdf"
    assert made["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert made["size"] == len(pdf)
    assert made["languages"] == ["ru", "uz-Cyrl"]
    assert made["title"] == "Текст закона"
    assert made["extraction"]["state"] == "pending"  # an editor sees where extraction stands
    assert r.headers["Location"] == f"{path}/attachments/{made['id']}"

    listed = (await client.get(f"{path}/attachments")).json()["items"]
    assert [a["id"] for a in listed] == [made["id"]]
    assert listed[0]["extraction"] is None  # the public does not

    r = await client.get(made["href"])
    assert r.status_code == 200
    assert r.content == pdf
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{made["sha256"]}"'
    assert r.headers["accept-ranges"] == "bytes"
    assert "filename*=UTF-8''zakon.txt" in r.headers["content-disposition"]

    r = await client.get(made["href"], headers={"If-None-Match": f'"{made["sha256"]}"'})
    assert r.status_code == 304 and r.content == b""

    r = await client.get(made["href"], headers={"Range": "bytes=0-9"})
    assert r.status_code == 206
    assert r.content == pdf[:10]
    assert r.headers["content-range"] == f"bytes 0-9/{len(pdf)}"
    r = await client.get(made["href"], headers={"Range": "bytes=-7"})
    assert r.status_code == 206 and r.content == pdf[-7:]
    r = await client.get(made["href"], headers={"Range": f"bytes={len(pdf) - 3}-"})
    assert r.status_code == 206 and r.content == pdf[-3:]
    # A range that no longer applies (If-Range names other bytes): the whole file.
    r = await client.get(made["href"], headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert r.status_code == 200 and r.content == pdf
    r = await client.get(made["href"], headers={"Range": f"bytes={len(pdf)}-"})
    assert r.status_code == 416
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["content-range"] == f"bytes */{len(pdf)}"

    r = await client.delete(f"{path}/attachments/{made['id']}", headers=editor)
    assert r.status_code == 204
    assert (await client.get(f"{path}/attachments/{made['id']}")).status_code == 404
    assert (await client.get(made["href"])).status_code == 404
    assert made["sha256"] not in stored_files()


async def test_identical_files_are_stored_once(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    a = await create(client, editor, "publication")
    b = await create(client, editor, "event")
    content = documents.text_pdf(["Отчёт о круглом столе по трудовой миграции"])
    sha = hashlib.sha256(content).hexdigest()
    first = (await upload(client, editor, f"/v1/publications/{a['slug']}", content)).json()
    second = (await upload(client, editor, f"/v1/events/{b['slug']}", content, "report.pdf")).json()
    assert first["sha256"] == second["sha256"] == sha
    assert first["id"] != second["id"]
    assert [name for name in stored_files() if name == sha] == [sha]

    assert (
        await client.delete(f"/v1/publications/{a['slug']}/attachments/{first['id']}", headers=editor)
    ).status_code == 204
    assert sha in stored_files()  # the event's attachment still names it
    r = await client.get(f"/v1/events/{b['slug']}/attachments/{second['id']}/content")
    assert r.content == content
    assert (
        await client.delete(f"/v1/events/{b['slug']}/attachments/{second['id']}", headers=editor)
    ).status_code == 204
    assert sha not in stored_files()


async def test_attachments_follow_their_record(
    client: httpx.AsyncClient, editor: dict[str, str], admin: dict[str, str]
) -> None:
    draft = await create(client, editor, "policy", publication="draft")
    path = f"/v1/policies/{draft['slug']}"
    made = (await upload(client, editor, path, b"Plain text of a draft policy.\n", "draft.txt")).json()
    assert made["media_type"] == "text/plain"
    assert (await client.get(f"{path}/attachments")).status_code == 404
    assert (await client.get(made["href"])).status_code == 404
    assert (await client.get(made["href"], headers=editor)).status_code == 200
    r = await client.patch(
        path,
        json={"publication": "published"},
        headers={**editor, "Content-Type": "application/merge-patch+json"},
    )
    assert r.status_code == 200, r.text
    assert (await client.get(made["href"])).content == b"Plain text of a draft policy.\n"
    # Deleting the record takes its attachments out of sight.
    assert (await client.delete(path, headers=admin)).status_code == 204
    assert (await client.get(made["href"], headers=editor)).status_code == 404


async def test_file_names_are_made_safe(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    law = await create(client, editor, "law")
    path = f"/v1/laws/{law['slug']}"
    cases = {
        "../../etc/pass\x01wd\x7f\t.pdf": "passwd.pdf",
        "C:\\Users\\x\\Закон №5 «о миграции».pdf": "Закон №5 «о миграции».pdf",
        "...": "attachment.pdf",
        "Oʻzbekiston qonuni.pdf": "Oʻzbekiston qonuni.pdf",
    }
    pdf = documents.text_pdf(["Qonun matni"])
    for given, kept in cases.items():
        # Raw bytes in the part's header: an HTTP client would percent-escape the control characters.
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
            + given.encode()
            + b'"\r\nContent-Type: application/pdf\r\n\r\n'
            + pdf
            + b"\r\n--b--\r\n"
        )
        r = await client.post(
            f"{path}/attachments",
            content=body,
            headers={**editor, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["filename"] == kept
        disposition = (await client.get(r.json()["href"])).headers["content-disposition"]
        assert "\n" not in disposition and "\r" not in disposition
        assert disposition.startswith('attachment; filename="')
        assert disposition.endswith("filename*=UTF-8''" + urllib.parse.quote(kept, safe=""))


@pytest.mark.parametrize(
    ("content", "fields", "status", "pointer"),
    [
        (Path("/bin/true").read_bytes()[:200_000], {}, 415, None),  # an executable named .pdf
        (documents._zip([("a.txt", "not a document")]), {}, 415, None),
        (b"\x00\x01\x02binary\xff\xfe" * 100, {}, 415, None),
        (b"", {}, 422, "/file"),
        (b"%PDF-1.4\n" + b"0" * (MAX + 1), {}, 413, None),
        (b"Plain text", {"languages": ["ru", "klingon"]}, 422, "/languages/1"),
        (b"Plain text", {"title": "x" * 501}, 422, "/title"),
        (b"Plain text", {"title": "\x00d"}, 422, "/title"),  # PostgreSQL text holds no NUL
    ],
)
async def test_bad_uploads_store_nothing(
    client: httpx.AsyncClient,
    editor: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
    content: bytes,
    fields: dict[str, Any],
    status: int,
    pointer: str | None,
) -> None:
    law = await create(client, editor, "law")
    before = stored_files()
    r = await upload(client, editor, f"/v1/laws/{law['slug']}", content, "decree.pdf", **fields)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    if pointer:
        assert pointer in [e["path"] for e in r.json()["errors"]]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files() == before


async def test_uploads_need_an_editor_and_a_kind_that_takes_files(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    law = await create(client, editor, "law")
    org = await create(client, editor, "organization")
    pdf = documents.text_pdf(["text"])
    assert (await upload(client, {}, f"/v1/laws/{law['slug']}", pdf)).status_code == 401
    assert (await upload(client, editor, "/v1/laws/no-such-law", pdf)).status_code == 404
    assert (await upload(client, editor, f"/v1/organizations/{org['slug']}", pdf)).status_code in (404, 405)
    r = await client.post(f"/v1/laws/{law['slug']}/attachments", data={"title": "no file"}, headers=editor)
    assert r.status_code == 422
    assert "/file" in [e["path"] for e in r.json()["errors"]]


@pytest.fixture(scope="module")
def served(database_url: str) -> Any:
    env = {**server_env(database_url), "MAX_ATTACHMENT_BYTES": str(MAX)}
    with api_server(env) as url:
        yield url, api_key(env, "editor", "uploads")
    empty_database(database_url)


def test_an_upload_cut_off_half_way_stores_nothing(served: tuple[str, dict[str, str]]) -> None:
    url, editor = served
    law = httpx.post(f"{url}/v1/laws", json=_law_body(), headers=editor)
    assert law.status_code == 201, law.text
    before = stored_files()
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    boundary = "cutoff"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            (
                f"POST /v1/laws/{law.json()['slug']}/attachments HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: {editor['Authorization']}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(head) + 1_500_000}\r\n\r\n"
            ).encode()
            + head
            + b"%PDF-1.4\n"
            + b"0" * 500_000
        )
    # The server saw the client go; nothing of the upload is kept, and it serves on.
    listed = httpx.get(f"{url}/v1/laws/{law.json()['slug']}/attachments", headers=editor)
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert stored_files() == before
    # An upload over the cap is refused from its Content-Length, before the body is read.
    r = httpx.post(
        f"{url}/v1/laws/{law.json()['slug']}/attachments",
        files={"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * (MAX + 100_000))},
        headers=editor,
    )
    assert r.status_code == 413
    assert stored_files() == before


def _law_body() -> dict[str, Any]:
    from tests.support.factories import law

    return law()


async def test_attachments_list_pages_like_every_list(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    event = await create(client, editor, "event")
    path = f"/v1/events/{event['slug']}"
    made = []
    for n in range(5):
        r = await upload(client, editor, path, f"Note {n}\n".encode(), f"note-{n}.txt")
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        r = await client.get(
            f"{path}/attachments", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "total", "next_cursor"} and page["total"] == 5
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5 and cursor is None
    for bad in ("not-a-cursor", "WyJ4Il0"):
        r = await client.get(f"{path}/attachments", params={"cursor": bad})
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
