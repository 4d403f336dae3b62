"""Exports in the field's own formats, streamed in constant memory from the public records
(`public_records`, the import format):

- `format=iati` (programs): IATI 2.03 activity XML. Each program is an `iati-activity`: its slug
  under the base's reporting organisation as identifier, title and description in each language,
  participating organisations (donor → funding, implementer → implementing, partner →
  extending), status, dates, recipient countries, topics as sectors of the base's own vocabulary
  (99), budget. IATI requires a date and a participating organisation: programs with neither are
  left out (they would not validate).
- `format=popolo` (organizations): Popolo JSON, `{"organizations": [...]}` with names in every
  language (`other_names`), identifiers, classification, founding date, contact details and links.
- `format=hsds` (organizations): their services for migrants as Open Referral HSDS 3.0 tables
  (organizations, services, locations, phones, languages) in one JSON object.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import Record, visible

BATCH = 200
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROLE = {"donor": "1", "implementer": "4", "partner": "3"}  # IATI OrganisationRole
STATUS = {"planned": "1", "active": "2", "completed": "4", "suspended": "6"}  # IATI ActivityStatus


def first_day(value: str) -> str:
    return value + {4: "-01-01", 7: "-01"}.get(len(value), "")


def last_day(value: str) -> str:
    if len(value) == 4:
        return f"{value}-12-31"
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value


def _narratives(parent: ET.Element, texts: dict[str, str]) -> None:
    for lang, text in sorted(texts.items()):
        if text:
            ET.SubElement(parent, "narrative", {XML_LANG: lang}).text = text


async def _batches(
    records: AsyncIterator[dict[str, Any]], size: int = BATCH
) -> AsyncIterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    async for body in records:
        batch.append(body)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _organizations(
    sessionmaker: async_sessionmaker[AsyncSession], slugs: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Names (in every language) and identifiers of the public organizations with these slugs."""
    wanted = list(set(slugs))
    if not wanted:
        return {}
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Record.slug, Record.title, Record.identifiers).where(
                Record.kind == "organization", Record.slug.in_(wanted), visible()
            )
        )
        return {r.slug: {"name": dict(r.title), "identifiers": r.identifiers or []} for r in rows}


def activity(
    program: dict[str, Any], orgs: dict[str, dict[str, Any]], settings: Any, base_url: str
) -> ET.Element | None:
    """One program as an iati-activity, in the schema's element order; None when IATI cannot hold
    it (no date, or no participating organisation)."""
    start, end = program.get("start_on"), program.get("end_on")
    parts = []
    for p in program.get("participants") or []:
        org = orgs.get(p["organization"]) if p.get("organization") else None
        name = org["name"] if org else ({"en": p["name"]} if p.get("name") else None)
        if name:
            ref = next(
                (i["value"] for i in (org or {}).get("identifiers", []) if i["scheme"] == "iati"), None
            )
            parts.append((ROLE[p["role"]], ref, name))
    if not (start or end) or not parts:
        return None
    status = program.get("status")
    attrs = {"last-updated-datetime": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
    if program.get("original_language"):
        attrs[XML_LANG] = program["original_language"]
    budget = program.get("budget")
    if budget:
        attrs["default-currency"] = budget["currency"]
    el = ET.Element("iati-activity", attrs)
    ET.SubElement(el, "iati-identifier").text = f"{settings.iati_reporting_org_ref}-{program['slug']}"
    reporting = ET.SubElement(
        el,
        "reporting-org",
        {"ref": settings.iati_reporting_org_ref, "type": settings.iati_reporting_org_type},
    )
    _narratives(reporting, {"en": settings.iati_reporting_org_name})
    _narratives(ET.SubElement(el, "title"), program.get("title") or {"en": program["slug"]})
    description = ET.SubElement(el, "description", {"type": "1"})
    _narratives(description, program.get("summary") or program.get("title") or {"en": program["slug"]})
    if program.get("goal"):
        _narratives(ET.SubElement(el, "description", {"type": "2"}), program["goal"])
    for role, ref, name in parts:
        org_el = ET.SubElement(el, "participating-org", {"role": role, **({"ref": ref} if ref else {})})
        _narratives(org_el, name)
    ET.SubElement(el, "activity-status", {"code": STATUS.get(status or "", "2")})
    begun = status in ("active", "completed", "suspended")
    if start:
        ET.SubElement(el, "activity-date", {"type": "2" if begun else "1", "iso-date": first_day(start)})
    if end:
        ET.SubElement(
            el, "activity-date", {"type": "4" if status == "completed" else "3", "iso-date": last_day(end)}
        )
    for code in program.get("countries") or []:
        ET.SubElement(el, "recipient-country", {"code": code})
    for topic in program.get("topics") or []:
        sector = ET.SubElement(
            el, "sector", {"vocabulary": "99", "vocabulary-uri": f"{base_url}/v1/topics", "code": topic}
        )
        _narratives(sector, {"en": topic})
    if budget and start and end:
        b = ET.SubElement(el, "budget", {"type": "1", "status": "1"})
        ET.SubElement(b, "period-start", {"iso-date": first_day(start)})
        ET.SubElement(b, "period-end", {"iso-date": last_day(end)})
        value = ET.SubElement(b, "value", {"currency": budget["currency"], "value-date": first_day(start)})
        value.text = f"{budget['amount']:.2f}"
    return el


async def iati_lines(
    sessionmaker: async_sessionmaker[AsyncSession],
    records: AsyncIterator[dict[str, Any]],
    settings: Any,
    base_url: str,
) -> AsyncIterator[bytes]:
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<iati-activities version="2.03" generated-datetime="{generated}">\n'
    ).encode()
    async for batch in _batches(records):
        slugs = [
            p["organization"] for b in batch for p in b.get("participants") or [] if p.get("organization")
        ]
        orgs = await _organizations(sessionmaker, slugs)
        out = []
        for program in batch:
            el = activity(program, orgs, settings, base_url)
            if el is not None:
                out.append(ET.tostring(el, encoding="unicode"))
        if out:
            yield ("\n".join(out) + "\n").encode()
    yield b"</iati-activities>\n"


def popolo(org: dict[str, Any], base_url: str) -> dict[str, Any]:
    names = org.get("name") or {}
    lang = org.get("original_language") or "en"
    out: dict[str, Any] = {
        "id": org["slug"],
        "name": _text(names, lang) or org["slug"],
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
    if description := _text(org.get("description"), lang):
        out["description"] = description
    return out


async def popolo_lines(records: AsyncIterator[dict[str, Any]], base_url: str) -> AsyncIterator[bytes]:
    yield b'{"organizations": [\n'
    first = True
    async for batch in _batches(records):
        chunk = ",\n".join(json.dumps(popolo(o, base_url), ensure_ascii=False, default=str) for o in batch)
        yield ((",\n" if not first else "") + chunk).encode()
        first = False
    yield b"\n]}\n"


# ---- Open Referral HSDS 3.0 -----------------------------------------------------------------------

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


def _text(values: dict[str, str] | None, lang: str) -> str | None:
    values = values or {}
    return values.get(lang) or values.get("en") or next(iter(values.values()), None)


def hsds_rows(org: dict[str, Any], base_url: str) -> dict[str, list[dict[str, Any]]]:
    """One organization as rows of the HSDS tables (its services, its office, its phone, the
    languages its services are offered in). Ids of derived rows are stable (uuid5 of the record)."""
    rid = str(org["id"])
    lang = org.get("original_language") or "en"
    name = _text(org.get("name"), lang) or org["slug"]
    row: dict[str, Any] = {
        "id": rid,
        "name": name,
        "description": _text(org.get("description"), lang) or name,
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


async def hsds_lines(
    records: Callable[[], AsyncIterator[dict[str, Any]]], base_url: str
) -> AsyncIterator[bytes]:
    """`{"organizations": [...], "services": [...], "locations": [...], "phones": [...],
    "languages": [...]}`: one pass over the organizations per table, so memory stays flat."""
    yield b"{"
    for t, table in enumerate(HSDS_TABLES):
        yield (("," if t else "") + f'\n"{table}": [').encode()
        first = True
        async for batch in _batches(records()):
            rows = [r for org in batch for r in hsds_rows(org, base_url)[table]]
            if rows:
                chunk = ",\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows)
                yield ((",\n" if not first else "\n") + chunk).encode()
                first = False
        yield b"\n]"
    yield b"\n}\n"
