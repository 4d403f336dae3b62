"""The field's exchange formats: programs as IATI 2.03 activity XML (validated against IATI's own
schema, shipped in tests/data/iati-2.03) and organizations as Popolo JSON (validated against
Popolo's schemas, tests/data/popolo); both hold only what the public may see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3, DRAFT202012

from tests.support.factories import create

DATA = Path(__file__).parents[1] / "data"


def iati_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "iati-2.03" / "iati-activities-schema.xsd")))


def popolo_validator() -> jsonschema.Draft3Validator:
    schemas = {p.stem: json.loads(p.read_text()) for p in (DATA / "popolo").glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT3)) for s in schemas.values()
    )
    return jsonschema.Draft3Validator(schemas["organization"], registry=registry)


async def test_programs_as_iati_activities(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    name = {"en": "Swiss Agency for Development", "ru": "Швейцарское агентство"}
    donor = await create(
        client, editor, "organization", name=name, identifiers=[{"scheme": "iati", "value": "CH-4"}]
    )
    secret = await create(client, editor, "organization", publication="draft", name={"en": "Hidden Partner"})
    program = await create(
        client, editor, "program",
        title={"en": "Safe Migration", "ky": "Коопсуз миграция"}, summary={"en": "Pre-departure training."},
        start_on="2021-03", end_on="2024", status="active", countries=["KG", "TJ"],
        budget={"amount": 4000000, "currency": "EUR"},
        participants=[
            {"organization": donor["slug"], "role": "donor"},
            {"organization": secret["slug"], "role": "partner"},
            {"name": "Local Migrant Centre", "role": "implementer"},
        ],
    )  # fmt: skip
    await create(client, editor, "program", start_on=None, end_on=None)  # no date: IATI cannot hold it
    await create(client, editor, "program", publication="draft", start_on="2020")

    r = await client.get("/v1/export", params={"kind": "program", "format": "iati"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    doc = etree.fromstring(r.content)
    schema = iati_schema()
    assert schema.validate(doc), schema.error_log
    [activity] = doc.findall("iati-activity")
    assert activity.findtext("iati-identifier").endswith(program["slug"])
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {n.get(lang): n.text for n in activity.find("title")} == {
        "en": "Safe Migration",
        "ky": "Коопсуз миграция",
    }
    orgs = [
        (o.get("role"), o.get("ref"), o.findtext("narrative")) for o in activity.findall("participating-org")
    ]
    assert orgs == [("1", "CH-4", "Swiss Agency for Development"), ("4", None, "Local Migrant Centre")]
    assert "Hidden" not in r.text
    assert [(d.get("type"), d.get("iso-date")) for d in activity.findall("activity-date")] == [
        ("2", "2021-03-01"),
        ("3", "2024-12-31"),
    ]
    assert [c.get("code") for c in activity.findall("recipient-country")] == ["KG", "TJ"]
    value = activity.find("budget/value")
    assert (value.get("currency"), value.text) == ("EUR", "4000000.00")
    assert activity.find("activity-status").get("code") == "2"

    # The schema is not a rubber stamp: an activity without its required parts fails it.
    for org in activity.findall("participating-org"):
        activity.remove(org)
    assert not schema.validate(doc)


async def test_organizations_as_popolo(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    org = await create(
        client, editor, "organization",
        name={"en": "Adilet Legal Clinic", "ky": "Адилет укуктук клиникасы"}, acronym="ALC", founded="2002",
        email="help@adilet.example", phone="+996 312 000000", website="https://adilet.example",
        identifiers=[{"scheme": "kg-registry", "value": "123-45"}],
    )  # fmt: skip
    await create(client, editor, "organization", publication="draft", name={"en": "Draft Org"})
    r = await client.get("/v1/export", params={"kind": "organization", "format": "popolo"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    validator = popolo_validator()
    for item in body["organizations"]:
        validator.validate(item)
    [mine] = [o for o in body["organizations"] if o["id"] == org["slug"]]
    assert mine["name"] == "Adilet Legal Clinic"
    assert {"name": "Адилет укуктук клиникасы", "note": "ky"} in mine["other_names"]
    assert {"name": "ALC", "note": "acronym"} in mine["other_names"]
    assert mine["identifiers"] == [{"scheme": "kg-registry", "identifier": "123-45"}]
    assert mine["founding_date"] == "2002"
    assert {"type": "email", "value": "help@adilet.example"} in mine["contact_details"]
    assert "Draft Org" not in r.text
    # Broken data fails the schema (a founding date that is not a date).
    assert not validator.is_valid({**mine, "founding_date": "around 2002"})


async def test_formats_belong_to_their_kinds(client: httpx.AsyncClient) -> None:
    for params in (
        {"kind": "law", "format": "iati"},
        {"format": "popolo"},
        {"kind": "program", "format": "popolo"},
    ):
        r = await client.get("/v1/export", params=params)
        assert r.status_code == 422, params
        assert r.headers["content-type"] == "application/problem+json"


HSDS_SCHEMA = {
    "organizations": "organization.json",
    "services": "service.json",
    "locations": "location.json",
    "phones": "phone.json",
    "languages": "language.json",
}


def hsds_validators() -> dict[str, jsonschema.Draft202012Validator]:
    files = {p.name: json.loads(p.read_text()) for p in (DATA / "hsds-3.0").glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(s, default_specification=DRAFT202012)) for name, s in files.items()
    )
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return {
        table: jsonschema.Draft202012Validator(files[name], registry=registry, format_checker=checker)
        for table, name in HSDS_SCHEMA.items()
    }


async def test_organizations_services_as_hsds(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    org = await create(
        client, editor, "organization", name={"ru": "Центр помощи мигрантам", "en": "Migrant Help Centre"},
        original_language="ru", services=["legal_aid", "hotline", "shelter"], languages=["ru", "ky", "uz"],
        city="Osh", phone="+996 3222 00000", email="help@centre.example", website="https://centre.example",
    )  # fmt: skip
    await create(client, editor, "organization", publication="draft", name={"en": "Draft Shelter"})
    r = await client.get("/v1/export", params={"kind": "organization", "format": "hsds"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    package = r.json()
    assert list(package) == list(HSDS_SCHEMA)
    validators = hsds_validators()
    for table, rows in package.items():
        for row in rows:
            validators[table].validate(row)
    [mine] = [o for o in package["organizations"] if o["id"] == org["id"]]
    assert mine["name"] == "Центр помощи мигрантам" and mine["email"] == "help@centre.example"
    services = [s for s in package["services"] if s["organization_id"] == org["id"]]
    assert [s["name"].split(":")[0] for s in services] == ["Legal aid", "Hotline", "Shelter"]
    langs = {(lang["service_id"], lang["code"]) for lang in package["languages"]}
    assert {(s["id"], code) for s in services for code in ("ru", "ky", "uz")} <= langs
    assert [p["number"] for p in package["phones"] if p["organization_id"] == org["id"]] == [
        "+996 3222 00000"
    ]
    assert [loc["name"] for loc in package["locations"] if loc["organization_id"] == org["id"]] == ["Osh"]
    assert "Draft Shelter" not in r.text
    # The schema checks: a service with an unknown status fails it.
    assert not validators["services"].is_valid({**services[0], "status": "open-ish"})
    # Ids are stable from one export to the next.
    again = (await client.get("/v1/export", params={"kind": "organization", "format": "hsds"})).json()
    assert [s["id"] for s in again["services"]] == [s["id"] for s in package["services"]]
