"""A law as schema.org `Legislation` in JSON-LD (`Accept: application/ld+json` on its detail).

The context is inline (`@vocab` schema.org), so the document expands offline with any JSON-LD
processor. Mapping: identifiers (the record's id and slug, its official number, its other
schemes), `legislationDate` (adoption), `legislationDateVersion` (entry into force), jurisdiction
(the countries, ISO 3166-1), `legislationType`, `inLanguage` (the languages its title is in),
`legislationLegalForce` (schema.org's status values), `legislationPassedBy`, and the amendment
chain: the laws this one amends or repeals as its `legislationChanges`, the laws amending it as
the reverse of theirs, each by its URL here and its slug."""

from __future__ import annotations

import datetime as dt
from typing import Any

_FORCE = {
    "in_force": "https://schema.org/InForce",
    "amended": "https://schema.org/InForce",  # in force, as amended
    "repealed": "https://schema.org/NotInForce",
    "not_in_force": "https://schema.org/NotInForce",
}
CONTEXT = {
    "@vocab": "https://schema.org/",
    "legislationLegalForce": {"@type": "@id"},
    "legislationDate": {"@type": "Date"},
    "legislationDateVersion": {"@type": "Date"},
    "dateModified": {"@type": "DateTime"},
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}
_CHANGES = ("amends", "repeals", "replaces")


def _texts(values: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"@value": text, "@language": lang} for lang, text in sorted((values or {}).items()) if text]


def _date_time(value: dt.datetime | str) -> str:
    """ISO 8601 (`2024-05-01T09:30:00+00:00`), as the JSON detail writes it."""
    return value.isoformat() if isinstance(value, dt.datetime) else value


def legislation(law: dict[str, Any], base_url: str) -> dict[str, Any]:
    def href(slug: str) -> str:
        return f"{base_url}/v1/laws/{slug}"

    identifiers: list[Any] = [
        {"@type": "PropertyValue", "propertyID": "migrantkb-id", "value": str(law["id"])},
        {"@type": "PropertyValue", "propertyID": "migrantkb-slug", "value": law["slug"]},
    ]
    if law.get("number"):
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "official-number", "value": law["number"]}
        )
    identifiers += [
        {"@type": "PropertyValue", "propertyID": i["scheme"], "value": i["value"]}
        for i in law.get("identifiers") or []
    ]
    relations = law.get("relations") or []
    changes = [
        r for r in relations if r["direction"] == "outgoing" and r["type"] in _CHANGES and r["kind"] == "law"
    ]
    changed_by = [
        r for r in relations if r["direction"] == "incoming" and r["type"] in _CHANGES and r["kind"] == "law"
    ]
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Legislation",
        "@id": href(law["slug"]),
        "identifier": identifiers,
        "name": _texts(law.get("title")),
        "abstract": _texts(law.get("summary")),
        "legislationType": law.get("instrument_type"),
        "legislationJurisdiction": [
            {"@type": "Country", "identifier": code, "name": code} for code in law.get("countries") or []
        ],
        "inLanguage": sorted((law.get("title") or {}).keys()),
        "dateModified": _date_time(law["updated_at"]),
        "sameAs": [str(u) for u in law.get("source_urls") or []],
    }
    if law.get("adopted_on"):
        doc["legislationDate"] = law["adopted_on"]
    if law.get("in_force_on"):
        doc["legislationDateVersion"] = law["in_force_on"]
    if law.get("status") in _FORCE:
        doc["legislationLegalForce"] = _FORCE[law["status"]]
    if law.get("issuing_body"):
        doc["legislationPassedBy"] = {"@type": "Organization", "name": law["issuing_body"]}
    if changes:
        doc["legislationChanges"] = [
            {"@id": href(r["slug"]), "@type": "Legislation", "identifier": r["slug"]} for r in changes
        ]
    if changed_by:
        doc["@reverse"] = {
            "legislationChanges": [
                {"@id": href(r["slug"]), "@type": "Legislation", "identifier": r["slug"]} for r in changed_by
            ]
        }
    return doc
