"""`GET /v1/export?format=popolo&kind=organization`: Popolo JSON, `{"organizations": [...]}` with
names in every language (`other_names`), identifiers, classification, founding date, contact
details and links, streamed in constant memory from the public records (the import format)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from app.core.i18n import resolve
from app.exports.stream import batches
from app.records.spec import ExportSource, Format


def popolo(org: dict[str, Any], base_url: str) -> dict[str, Any]:
    names = org.get("name") or {}
    lang = org.get("original_language") or "en"
    out: dict[str, Any] = {
        "id": org["slug"],
        "name": resolve(names, lang, None)[0] or org["slug"],
        "other_names": [{"name": text, "note": lang_} for lang_, text in sorted(names.items()) if text],
        "identifiers": [
            {"scheme": i["scheme"], "identifier": i["value"]} for i in org.get("identifiers") or []
        ],
        "classification": org.get("org_type"),
        "links": [{"url": f"{base_url}/v1/organizations/{org['slug']}", "note": "migrantkb"}]
        + [{"url": str(u), "note": "source"} for u in org.get("source_urls") or []],
        "contact_details": [
            {"type": kind, "value": org[field]}
            for kind, field in (
                ("email", "email"),
                ("voice", "phone"),
                ("url", "website"),
                ("address", "address"),
            )
            if org.get(field)
        ],
    }
    if org.get("acronym"):
        out["other_names"].append({"name": org["acronym"], "note": "acronym"})
    if org.get("founded"):
        out["founding_date"] = org["founded"]
    if description := resolve(org.get("description"), lang, None)[0]:
        out["description"] = description
    return out


async def popolo_lines(source: ExportSource) -> AsyncIterator[bytes]:
    yield b'{"organizations": [\n'
    first = True
    async for batch in batches(source.records()):
        chunk = ",\n".join(
            json.dumps(popolo(o, source.base_url), ensure_ascii=False, default=str) for o in batch
        )
        yield ((",\n" if not first else "") + chunk).encode()
        first = False
    yield b"\n]}\n"


POPOLO = Format(
    "popolo",
    "application/json",
    "organizations-popolo.json",
    "popolo: organizations as Popolo JSON",
    popolo_lines,
)
