"""Uploading an attachment and reading its extraction state, for the tests of attachments,
the worker, the unit of work and restarts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx


def stored_files() -> set[str]:
    root = Path(os.environ["FILES_DIR"])
    return {p.name for p in root.rglob("*") if p.is_file()}


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    path: str,
    content: bytes,
    filename: str = "document.pdf",
    **fields: Any,
) -> httpx.Response:
    return await client.post(
        f"{path}/attachments",
        files={"file": (filename, content, "application/octet-stream")},
        data=fields,
        headers=headers,
    )


async def attach(
    client: httpx.AsyncClient, editor: dict[str, str], path: str, content: bytes, name: str, *languages: str
) -> dict[str, Any]:
    r = await client.post(
        f"{path}/attachments",
        files={"file": (name, content)},
        data={"languages": list(languages)},
        headers=editor,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def extraction(
    client: httpx.AsyncClient, editor: dict[str, str], path: str, made: dict[str, Any]
) -> Any:
    r = await client.get(f"{path}/attachments/{made['id']}", headers=editor)
    assert r.status_code == 200, r.text
    return r.json()["extraction"]
