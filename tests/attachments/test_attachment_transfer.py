"""Attachments in export and import: the export lists each public record's files by sha256;
`migrantkb export --with-files DIR` writes their bytes beside the NDJSON and `migrantkb import`
on another base brings records and files over whole; lines naming files nobody has are refused
with nothing written."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.runtime.postgres import create_database, drop_database
from tests.support import documents
from tests.support.attachments import upload
from tests.support.factories import create
from tests.support.servers import run_cli

PDF = documents.text_pdf(["Трудовые мигранты имеют право на юридическую помощь."])
TEXT = "Mehnat muhojirlari oʻz huquqlarini biladi.\n".encode()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lines(body: str) -> dict[str, dict[str, Any]]:
    return {(d := json.loads(line))["slug"]: d for line in body.splitlines() if line.strip()}


@pytest.fixture
def other_base(database_url: str, tmp_path: Path) -> Any:
    """A second, empty base (its own database and files directory), for moving a base whole."""
    url = make_url(database_url).set(database=f"{make_url(database_url).database}_x{secrets.token_hex(2)}")
    other = url.render_as_string(hide_password=False)
    asyncio.run(create_database(other))
    env = {"DATABASE_URL": other, "FILES_DIR": str(tmp_path / "other-files")}
    assert run_cli("migrate", env=env).returncode == 0
    yield env
    asyncio.run(drop_database(other))


def _psql(env: dict[str, str], sql: str) -> list[str]:
    url = make_url(env["DATABASE_URL"])
    out = subprocess.run(
        ["psql", "-At", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "",
         url.database or "", "-c", sql],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.splitlines()


async def test_a_base_moves_whole_with_its_files(
    committed_client: httpx.AsyncClient,
    editor_committed: dict[str, str],
    database_url: str,
    other_base: dict[str, str],
    tmp_path: Path,
) -> None:
    api, editor = committed_client, editor_committed
    law = await create(api, editor, "law")
    draft = await create(api, editor, "law", publication="draft")
    path = f"/v1/laws/{law['slug']}"
    assert (
        await upload(api, editor, path, PDF, "закон.pdf", title="Текст", languages="ru")
    ).status_code == 201
    assert (await upload(api, editor, path, TEXT, "eslatma.txt", languages="uz-Latn")).status_code == 201
    r = await upload(api, editor, f"/v1/laws/{draft['slug']}", b"draft only\n", "draft.txt")
    assert r.status_code == 201

    # The API's export lists the public records' files, in upload order; the draft's are not there.
    exported = _lines((await api.get("/v1/export", params={"kind": "law"})).text)
    assert draft["slug"] not in exported
    assert exported[law["slug"]]["attachments"] == [
        {"sha256": _sha(PDF), "filename": "закон.pdf", "title": "Текст", "media_type": "application/pdf",
         "size": len(PDF), "languages": ["ru"]},
        {"sha256": _sha(TEXT), "filename": "eslatma.txt", "title": None, "media_type": "text/plain",
         "size": len(TEXT), "languages": ["uz-Latn"]},
    ]  # fmt: skip

    out = tmp_path / "moved"
    made = run_cli("export", "--with-files", str(out), env={"DATABASE_URL": database_url})
    assert made.returncode == 0, made.stderr
    assert "2 files" in made.stderr
    assert {p.name: p.read_bytes() for p in (out / "files").iterdir()} == {_sha(PDF): PDF, _sha(TEXT): TEXT}
    assert _lines((out / "records.ndjson").read_text()) == exported

    done = run_cli("import", str(out / "records.ndjson"), env=other_base)
    assert done.returncode == 0, done.stderr
    assert "1 created" in done.stdout and "2 attachments added" in done.stdout
    rows = _psql(other_base, "SELECT filename, sha256, size, languages, extraction_state FROM attachments "
                             "ORDER BY created_at")  # fmt: skip
    assert rows == [
        f"закон.pdf|{_sha(PDF)}|{len(PDF)}|{{ru}}|pending",
        f"eslatma.txt|{_sha(TEXT)}|{len(TEXT)}|{{uz-Latn}}|pending",
    ]
    assert _psql(
        other_base, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'extract_attachment'"
    ) == ["2"]
    stored = {p.name: p.read_bytes() for p in Path(other_base["FILES_DIR"]).rglob("*") if p.is_file()}
    assert stored == {_sha(PDF): PDF, _sha(TEXT): TEXT}

    # Again: nothing new. The other base's own export lists the same files.
    again = run_cli("import", str(out / "records.ndjson"), env=other_base)
    assert "1 unchanged" in again.stdout and "0 attachments added" in again.stdout, again.stdout
    assert _psql(other_base, "SELECT count(*) FROM attachments") == ["2"]
    reexport = run_cli("export", "--kind", "law", env=other_base)
    assert _lines(reexport.stdout)[law["slug"]]["attachments"] == exported[law["slug"]]["attachments"]


async def test_the_files_must_come_along(
    committed_client: httpx.AsyncClient,
    editor_committed: dict[str, str],
    database_url: str,
    other_base: dict[str, str],
    tmp_path: Path,
) -> None:
    api, editor = committed_client, editor_committed
    law = await create(api, editor, "law")
    assert (await upload(api, editor, f"/v1/laws/{law['slug']}", TEXT, "a.txt")).status_code == 201
    out = tmp_path / "moved"
    assert run_cli("export", "--with-files", str(out), env={"DATABASE_URL": database_url}).returncode == 0
    lines = (out / "records.ndjson").read_text()

    # Without the bytes: refused, nothing written.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "records.ndjson").write_text(lines)
    refused = run_cli("import", str(alone / "records.ndjson"), env=other_base)
    assert refused.returncode == 1
    assert "/attachments/0/sha256" in refused.stderr and "--with-files" in refused.stderr
    assert _psql(other_base, "SELECT count(*) FROM records") == ["0"]

    # Bytes that are not the file the line names: refused too.
    (alone / "files").mkdir()
    (alone / "files" / _sha(TEXT)).write_bytes(b"something else\n")
    refused = run_cli("import", str(alone / "records.ndjson"), env=other_base)
    assert refused.returncode == 1 and "does not have this sha256" in refused.stderr
    assert _psql(other_base, "SELECT count(*) FROM attachments") == ["0"]


async def test_import_lines_with_attachments_are_checked(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    """Through the API the store must hold the files already; each problem is pointed at."""
    first = await create(client, editor, "publication")
    second = await create(client, editor, "publication")
    org = await create(client, editor, "organization")
    assert (
        await upload(client, editor, f"/v1/publications/{first['slug']}", TEXT, "a.txt")
    ).status_code == 201
    exported = _lines((await client.get("/v1/export", params={"kind": "publication"})).text)
    line = {**exported[second["slug"]], "attachments": exported[first["slug"]]["attachments"]}
    bad = [
        {**line, "attachments": [{"sha256": "0" * 64, "filename": "x.pdf"}]},
        {**line, "attachments": [{"sha256": "XYZ", "filename": "x.pdf", "languages": ["xx"]}]},
        {**_lines((await client.get("/v1/export", params={"kind": "organization"})).text)[org["slug"]],
         "attachments": []},
    ]  # fmt: skip
    headers = {**editor, "Content-Type": "application/x-ndjson"}
    for body, where in zip(
        bad,
        ["/attachments/0/sha256", "/attachments/0/languages", "/attachments"],
        strict=True,
    ):
        r = await client.post("/v1/import", content=json.dumps(body, ensure_ascii=False), headers=headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert any(e["path"].endswith(where) for e in r.json()["errors"]), r.json()
    assert (await client.get(f"/v1/publications/{second['slug']}/attachments")).json()["items"] == []

    # A file the store holds may be attached to another record by import; a second time adds none
    # and updates the metadata.
    r = await client.post("/v1/import", content=json.dumps(line, ensure_ascii=False), headers=headers)
    assert r.status_code == 200 and r.json()["counts"]["attachments"] == 1, r.text
    line["attachments"] = [{**line["attachments"][0], "title": "Eslatma", "languages": ["uz"]}]
    r = await client.post("/v1/import", content=json.dumps(line, ensure_ascii=False), headers=headers)
    assert r.json()["counts"]["attachments"] == 0
    [att] = (await client.get(f"/v1/publications/{second['slug']}/attachments")).json()["items"]
    assert (att["sha256"], att["title"], att["languages"]) == (_sha(TEXT), "Eslatma", ["uz"])


async def test_attach_command(
    committed_client: httpx.AsyncClient, editor_committed: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    law = await create(committed_client, editor_committed, "law")
    good = tmp_path / "закон 2000.pdf"
    good.write_bytes(PDF)
    renamed = tmp_path / "setup.pdf"
    renamed.write_bytes(b"MZ\x90\x00" + bytes(200))  # an executable named .pdf
    done = run_cli(
        "attach",
        "law",
        law["slug"],
        str(good),
        str(renamed),
        "--language",
        "ru",
        env={"DATABASE_URL": database_url},
    )
    assert done.returncode == 1  # one of the two was refused
    assert "setup.pdf" in done.stderr and "accepted types" in done.stderr
    assert "закон 2000.pdf →" in done.stderr and "extraction queued" in done.stderr
    listed = (await committed_client.get(f"/v1/laws/{law['slug']}/attachments")).json()["items"]
    assert [(a["filename"], a["sha256"], a["languages"]) for a in listed] == [
        ("закон 2000.pdf", _sha(PDF), ["ru"])
    ]

    wrong = run_cli("attach", "organization", "x", str(good), env={"DATABASE_URL": database_url})
    assert wrong.returncode == 2 and "takes no attachments" in wrong.stderr
    missing = run_cli("attach", "law", "no-such-law", str(good), env={"DATABASE_URL": database_url})
    assert missing.returncode == 1 and "no-such-law" in missing.stderr
