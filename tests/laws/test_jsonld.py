"""A law as schema.org Legislation: `Accept: application/ld+json` on its detail, checked by
expanding it with a JSON-LD processor (pyld), offline: the context is inline."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
from pyld import jsonld

from tests.support.factories import create

S = "https://schema.org/"


def _offline_loader(url: str, options: dict[str, Any]) -> Any:
    raise AssertionError(f"the document needs {url}: it must expand without the network")


def _values(node: dict[str, Any], prop: str) -> list[Any]:
    return [v.get("@value", v.get("@id")) for v in node.get(S + prop, [])]


async def test_a_law_as_legislation(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    title = {"ru": "О внешней миграции", "en": "On External Migration"}
    base = await create(
        client, editor, "law", title=title, number="61", adopted_on="2000-07-17", in_force_on="2000-08-01",
        status="amended", issuing_body="Jogorku Kenesh",
    )  # fmt: skip
    amending = await create(
        client, editor, "law", status="in_force",
        related=[{"type": "amends", "kind": "law", "slug": base["slug"]}],
    )  # fmt: skip
    r = await client.get(f"/v1/laws/{base['slug']}", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    assert "accept" in r.headers["vary"].lower()
    expanded = jsonld.expand(r.json(), {"documentLoader": _offline_loader})
    nodes = {n["@id"]: n for n in jsonld.flatten(expanded, None, {"documentLoader": _offline_loader})}
    law = nodes[f"http://testserver/v1/laws/{base['slug']}"]
    assert law["@type"] == [S + "Legislation"]
    assert sorted(_values(law, "name")) == ["On External Migration", "О внешней миграции"]
    assert law[S + "legislationDate"] == [{"@value": "2000-07-17", "@type": S + "Date"}]
    assert _values(law, "legislationLegalForce") == [S + "InForce"]
    assert sorted(_values(law, "inLanguage")) == ["en", "ru"]
    assert _values(law, "legislationType") == ["law"]
    # dateModified: an ISO 8601 date-time (xsd:dateTime), the JSON detail's updated_at.
    [modified] = law[S + "dateModified"]
    assert modified["@type"] == S + "DateTime"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", modified["@value"])
    updated_at = (await client.get(f"/v1/laws/{base['slug']}")).json()["updated_at"]
    assert dt.datetime.fromisoformat(modified["@value"]) == dt.datetime.fromisoformat(updated_at)
    identifiers = [nodes[i["@id"]] if "@id" in i else i for i in law[S + "identifier"]]
    assert {(_values(i, "propertyID")[0], _values(i, "value")[0]) for i in identifiers} >= {
        ("official-number", "61"),
        ("migrantkb-slug", base["slug"]),
    }
    jurisdiction = [nodes[j["@id"]] if "@id" in j else j for j in law[S + "legislationJurisdiction"]]
    assert [_values(j, "identifier") for j in jurisdiction] == [["KG"]]
    # The amendment chain: the amending law's legislationChanges names this one (the reverse).
    amender = nodes[f"http://testserver/v1/laws/{amending['slug']}"]
    assert _values(amender, "legislationChanges") == [f"http://testserver/v1/laws/{base['slug']}"]

    r = await client.get(f"/v1/laws/{amending['slug']}", headers={"Accept": "application/ld+json"})
    forward = jsonld.expand(r.json(), {"documentLoader": _offline_loader})[0]
    assert _values(forward, "legislationChanges") == [f"http://testserver/v1/laws/{base['slug']}"]

    # JSON stays the default; a draft is as hidden in JSON-LD as in JSON.
    assert (await client.get(f"/v1/laws/{base['slug']}")).headers["content-type"] == "application/json"
    draft = await create(client, editor, "law", publication="draft")
    r = await client.get(f"/v1/laws/{draft['slug']}", headers={"Accept": "application/ld+json"})
    assert r.status_code == 404
