from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from app.cli.db import openapi_text
from app.main import create_app
from app.registry import SPECS

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_schema_matches_the_app() -> None:
    generated = openapi_text(create_app().openapi())
    assert COMMITTED.read_text(encoding="utf-8") == generated, "run `.venv/bin/migrantkb openapi` and commit"


def test_every_operation_is_documented() -> None:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    ids = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            ids.append(op["operationId"])
            assert op.get("summary"), f"{method} {path} has no summary"
            for param in op.get("parameters", []):
                assert param.get("description"), f"{method} {path} {param['name']} has no description"
    assert len(ids) == len(set(ids))


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield method, path, op


async def test_public_reads_ask_for_no_key_and_writes_declare_theirs(client: httpx.AsyncClient) -> None:
    """Generated clients and /docs (its padlocks) read `security`: a key is declared exactly where
    the API answers 401 without one, and nowhere else."""
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    public = 0
    for method, path, op in _operations(schema):
        url = re.sub(r"\{(\w+)\}", lambda m: "x-1" if m[1] == "key" else str(uuid.uuid4()), path)
        r = await client.request(method, url)
        assert r.status_code < 500, f"{method} {path}: {r.status_code}"
        if op.get("security"):
            assert op["security"] == [{"ApiKey": []}], f"{method} {path}: {op['security']}"
            assert r.status_code == 401, f"{method} {path} declares a key it does not need"
        else:
            assert r.status_code != 401, f"{method} {path} needs a key it does not declare"
            assert method == "get", f"{method} {path}: a write that needs no key"
            public += 1
    assert public > 20


def test_what_generated_clients_need_is_declared() -> None:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    components = schema["components"]["schemas"]
    uploads = [op for m, p, op in _operations(schema) if m == "post" and p.endswith("/attachments")]
    assert len(uploads) == 4
    for op in uploads:
        ref = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        file = components[ref.rsplit("/", 1)[1]]["properties"]["file"]
        assert file["type"] == "string" and file["format"] == "binary", file
    body = schema["paths"]["/v1/import"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/x-ndjson"]["schema"] == {"type": "string", "format": "binary"}
    exported = schema["paths"]["/v1/export"]["get"]["responses"]["200"]["content"]
    # ndjson, csv, iati (XML), popolo and hsds (JSON): each format's media type is declared.
    for media_type in ("application/x-ndjson", "text/csv", "application/xml", "application/json"):
        assert media_type in exported, media_type
    law = schema["paths"]["/v1/laws/{key}"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "application/ld+json"} <= set(law)
    download = schema["paths"]["/v1/laws/{key}/attachments/{attachment_id}/content"]["get"]
    assert download["responses"]["200"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"


def test_the_words_an_advocate_reads() -> None:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    texts = [schema["info"]["description"], *(t["description"] for t in schema["tags"])]
    for _, _, op in _operations(schema):
        texts += [op["summary"], op.get("description", "")]
    for text in texts:
        assert not re.search(r"\ba [aeiou]", text, re.IGNORECASE), text
    search = schema["paths"]["/v1/search"]["get"]["summary"]
    assert all(spec.plural in search for spec in SPECS), search
    # A kind's files sit with the kind in /docs: same tag, and every tag used is listed in order.
    tags = [t["name"] for t in schema["tags"]]
    for method, path, op in _operations(schema):
        assert set(op["tags"]) <= set(tags), f"{method} {path}: {op['tags']}"
        if "/attachments" in path:
            kind = path.split("/")[2]
            assert op["tags"] == [next(s.tag for s in SPECS if s.plural == kind)]
