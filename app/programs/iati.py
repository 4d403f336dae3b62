"""`GET /v1/export?format=iati&kind=program`: IATI 2.03 activity XML, streamed in constant memory
from the public records (the import format). Each program is an `iati-activity`: its slug under the
base's reporting organisation as identifier, title and description in each language, participating
organisations (donor → funding, implementer → implementing, partner → extending), status, dates,
recipient countries, topics as sectors of the base's own vocabulary (99), budget. IATI requires a
date and a participating organisation: programs with neither are left out (they would not
validate)."""

from __future__ import annotations

import calendar
import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

from app.exports.stream import batches, participant_names
from app.records.spec import ExportSource, Format

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


async def iati_lines(source: ExportSource) -> AsyncIterator[bytes]:
    settings, base_url = source.settings, source.base_url
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<iati-activities version="2.03" generated-datetime="{generated}">\n'
    ).encode()
    async for batch in batches(source.records()):
        slugs = [
            p["organization"] for b in batch for p in b.get("participants") or [] if p.get("organization")
        ]
        orgs = await participant_names(source.sessionmaker, slugs)
        out = []
        for program in batch:
            el = activity(program, orgs, settings, base_url)
            if el is not None:
                out.append(ET.tostring(el, encoding="unicode"))
        if out:
            yield ("\n".join(out) + "\n").encode()
    yield b"</iati-activities>\n"


IATI = Format(
    "iati",
    "application/xml",
    "programs-iati.xml",
    "iati: programs as IATI 2.03 activity XML",
    iati_lines,
)
