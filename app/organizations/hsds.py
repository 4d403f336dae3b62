"""`GET /v1/export?format=hsds&kind=organization`: the organizations' services for migrants as Open
Referral HSDS 3.0 tables (organizations, services, locations, phones, languages) in one JSON object,
streamed in constant memory from the public records (the import format)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from app.core.i18n import resolve
from app.exports.stream import batches
from app.records.spec import ExportSource, Format

HSDS_TABLES = ("organizations", "services", "locations", "phones", "languages")
_SERVICE_NAMES = {
    "legal_aid": "Legal aid",
    "shelter": "Shelter",
    "hotline": "Hotline",
    "training": "Training",
    "research": "Research",
    "psychosocial": "Psychosocial support",
}
_NS = uuid.UUID("6f1d8c1e-5a3b-4c2e-9d7f-0b8e4a6c2d10")  # ids of the rows derived from a record


def _sub_id(record_id: Any, *parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join([str(record_id), *parts])))


def hsds_rows(org: dict[str, Any], base_url: str) -> dict[str, list[dict[str, Any]]]:
    """One organization as rows of the HSDS tables (its services, its office, its phone, the
    languages its services are offered in). Ids of derived rows are stable (uuid5 of the record)."""
    rid = str(org["id"])
    lang = org.get("original_language") or "en"
    name = resolve(org.get("name"), lang, None)[0] or org["slug"]
    row: dict[str, Any] = {
        "id": rid,
        "name": name,
        "description": resolve(org.get("description"), lang, None)[0] or name,
        "uri": f"{base_url}/v1/organizations/{org['slug']}",
    }
    if org.get("acronym"):
        row["alternate_name"] = org["acronym"]
    if org.get("email"):
        row["email"] = org["email"]
    if org.get("website"):
        row["website"] = org["website"]
    if org.get("founded"):
        row["year_incorporated"] = int(org["founded"][:4])
    status = {"active": "active", "inactive": "inactive"}.get(org.get("status") or "", "active")
    services = [
        {
            "id": _sub_id(rid, "service", s),
            "organization_id": rid,
            "name": f"{_SERVICE_NAMES.get(s, s.replace('_', ' ').capitalize())}: {name}",
            "status": status,
        }
        for s in org.get("services") or []
    ]
    locations = []
    if org.get("city") or org.get("address"):
        location: dict[str, Any] = {
            "id": _sub_id(rid, "location"),
            "location_type": "physical",
            "organization_id": rid,
            "name": ", ".join(p for p in (org.get("address"), org.get("city")) if p),
        }
        locations.append(location)
    phones = (
        [{"id": _sub_id(rid, "phone"), "organization_id": rid, "number": org["phone"]}]
        if org.get("phone")
        else []
    )
    languages = [
        {
            "id": _sub_id(rid, "service", s["id"], "language", code),
            "service_id": s["id"],
            "code": code,
            "name": _language_name(code),
        }
        for s in services
        for code in org.get("languages") or []
    ]
    return {
        "organizations": [row],
        "services": services,
        "locations": locations,
        "phones": phones,
        "languages": languages,
    }


def _language_name(code: str) -> str:
    import pycountry

    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    return str(found.name) if found is not None else code


async def hsds_lines(source: ExportSource) -> AsyncIterator[bytes]:
    """`{"organizations": [...], "services": [...], "locations": [...], "phones": [...],
    "languages": [...]}`: one pass over the organizations per table, so memory stays flat."""
    yield b"{"
    for t, table in enumerate(HSDS_TABLES):
        yield (("," if t else "") + f'\n"{table}": [').encode()
        first = True
        async for batch in batches(source.records()):
            rows = [r for org in batch for r in hsds_rows(org, source.base_url)[table]]
            if rows:
                chunk = ",\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows)
                yield ((",\n" if not first else "\n") + chunk).encode()
                first = False
        yield b"\n]"
    yield b"\n}\n"


HSDS = Format(
    "hsds",
    "application/json",
    "organizations-hsds.json",
    "hsds: organizations' services as Open Referral HSDS 3.0 tables (organizations, services, "
    "locations, phones, languages)",
    hsds_lines,
    with_ids=True,
)
