"""Valid create bodies for each kind, unique per call; override any field."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from app.registry import SPECS

_seq = itertools.count(1)
PLURAL = {spec.kind: spec.plural for spec in SPECS}


def law(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"law-test-{n}",
        "title": {"en": f"Test Law on Migration {n}", "ru": f"Закон о миграции {n}"},
        "summary": {"en": "Entry and stay of foreigners."},
        "original_language": "ru",
        "countries": ["KG"],
        "topics": ["labour-migration"],
        "instrument_type": "law",
        "adopted_on": "2000-07-17",
        "status": "in_force",
        "translation_kinds": {"en": "unofficial"},
        "publication": "published",
    }
    return body | over


def policy(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"policy-test-{n}",
        "title": {"en": f"Test Migration Concept {n}"},
        "countries": ["KZ"],
        "topics": ["labour-migration"],
        "policy_type": "concept",
        "adopted_on": "2017",
        "status": "active",
        "publication": "published",
    }
    return body | over


def program(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"program-test-{n}",
        "title": {"en": f"Test Safe Migration Programme {n}"},
        "countries": ["TJ"],
        "topics": ["labour-migration"],
        "start_on": "2019-03",
        "status": "active",
        "budget": {"amount": 1000000, "currency": "EUR"},
        "publication": "published",
    }
    return body | over


def organization(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"org-test-{n}",
        "name": {"en": f"Test Legal Clinic {n}", "ky": f"Юридикалык клиника {n}"},
        "countries": ["KG"],
        "topics": ["labour-migration"],
        "org_type": "legal_clinic",
        "services": ["legal_aid"],
        "status": "active",
        "publication": "published",
    }
    return body | over


def event(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"ev-test-{n}",
        "title": {
            "en": f"Test Roundtable on Labour Migration {n}",
            "ru": f"Круглый стол о трудовой миграции {n}",
        },
        "countries": ["KG"],
        "topics": ["labour-migration"],
        "event_type": "roundtable",
        "status": "held",
        "starts_on": "2013-04-11",
        "place": {"en": "Bishkek"},
        "participants_count": 40,
        "publication": "published",
    }
    return body | over


def publication(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"pub-test-{n}",
        "title": {"en": f"Test Research Report on Remittances {n}"},
        "countries": ["TJ"],
        "topics": ["remittances"],
        "pub_type": "report",
        "published_on": "2014-05",
        "languages": ["en", "ru"],
        "publication": "published",
    }
    return body | over


def indicator(**over: Any) -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "slug": f"ind-test-{n}",
        "name": {"en": f"Test remittances indicator {n}", "ru": f"Тестовый показатель переводов {n}"},
        "countries": ["KG"],
        "topics": ["remittances"],
        "unit": "percent of GDP",
        "publication": "published",
    }
    return body | over


BUILDERS = {
    "law": law,
    "policy": policy,
    "program": program,
    "organization": organization,
    "event": event,
    "publication": publication,
    "indicator": indicator,
}


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str, **over: Any
) -> dict[str, Any]:
    response = await client.post(f"/v1/{PLURAL[kind]}", json=BUILDERS[kind](**over), headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data
