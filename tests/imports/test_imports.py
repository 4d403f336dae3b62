from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.factories import BUILDERS


def ndjson(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def line(kind: str, **over: Any) -> dict[str, Any]:
    return {"kind": kind, **BUILDERS[kind](**over)}


async def post(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: bytes,
    query: str = "",
    ctype: str = "application/x-ndjson",
) -> httpx.Response:
    return await client.post(f"/v1/import{query}", content=body, headers={**headers, "Content-Type": ctype})


async def snapshot(client: httpx.AsyncClient) -> str:
    return (await client.get("/v1/export")).text


async def test_import_links_to_records_defined_later(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    body = ndjson(
        line("program", slug="prog-a", participants=[{"organization": "org-later", "role": "implementer"}]),
        line("law", slug="law-new", related=[{"type": "amends", "kind": "law", "slug": "law-old"}]),
        line("law", slug="law-old"),
        line("organization", slug="org-later", name={"en": "Later Org", "ru": "Поздняя организация"}),
    )
    r = await post(client, editor, body)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["committed"] and report["counts"] == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "attachments": 0,
    }
    old = (await client.get("/v1/laws/law-old")).json()
    assert [(x["type"], x["direction"], x["slug"]) for x in old["relations"]] == [
        ("amends", "incoming", "law-new")
    ]
    prog = (await client.get("/v1/programs/prog-a")).json()
    assert prog["participants"][0]["organization"] == "org-later"

    again = (await post(client, editor, body)).json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0, "attachments": 0}
    changed = ndjson(line("law", slug="law-old", countries=["TJ"]))
    assert (await post(client, editor, changed)).json()["counts"]["updated"] == 1
    got = (await client.get("/v1/laws/law-old")).json()
    assert got["version"] == 2 and got["countries"] == ["TJ"]
    # The edge from law-new survives an update of its target.
    assert [x["slug"] for x in got["relations"]] == ["law-new"]


async def test_dry_run_writes_nothing(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    r = await post(client, editor, ndjson(line("law"), line("policy")), "?dry_run=true")
    assert r.status_code == 200
    assert r.json()["counts"]["created"] == 2 and r.json()["committed"] is False
    assert (await client.get("/v1/laws", headers=editor)).json()["total"] == 0


GOOD = json.dumps(line("law", slug="law-good")).encode() + b"\n"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (GOOD + b'{"kind": "law", "slug": \n', (2, "")),
        (GOOD + ndjson({"kind": "treaty", "slug": "x1"}), (2, "/kind")),
        (GOOD + ndjson(line("law", countries=["KG", "XX"])), (2, "/countries/1")),
        (GOOD + ndjson(line("law", slug="law-good")), (2, "/slug")),
        (GOOD + b'{"kind": "law", "title": {"en": "\xff\xfe"}}\n', (2, "")),
        (GOOD + ndjson(line("law", topics=["nope"])), (2, "/topics/0")),
        # Digits of other scripts are digits to Python's `int` and `\\d`, not to a date.
        (GOOD + ndjson(line("law", adopted_on="２０１９")), (2, "/adopted_on")),
        (GOOD + ndjson(line("law", adopted_on="٢٠١٩-٠٣")), (2, "/adopted_on")),
        # Nested past what the parser, the validation or the JSON encoder can recurse through.
        (GOOD + b"[" * 100_000 + b"]" * 100_000 + b"\n", (2, "")),
        (GOOD + b'{"kind": "law", "editorial": ' + b'{"a": ' * 500 + b"1" + b"}" * 501 + b"\n", (2, "")),
        (
            GOOD
            + ndjson(
                line("law", slug="law-x", related=[{"type": "related", "kind": "law", "slug": "law-missing"}])
            ),
            (2, "/related/0/slug"),
        ),
        (GOOD + b"[1, 2]\n", (2, "")),
        (GOOD + ndjson({k: v for k, v in line("law").items() if k != "slug"}), (2, "/slug")),
    ],
)
async def test_bad_files_are_reported_and_change_nothing(
    client: httpx.AsyncClient, editor: dict[str, str], body: bytes, where: tuple[int, str]
) -> None:
    before = await snapshot(client)
    dry = await post(client, editor, body, "?dry_run=true")
    assert dry.status_code == 200
    report = dry.json()
    assert report["committed"] is False and report["counts"]["rejected"] == 1
    assert (report["errors"][0]["line"], report["errors"][0]["path"]) == where, report
    real = await post(client, editor, body)
    assert real.status_code == 422 and real.headers["content-type"] == "application/problem+json"
    assert real.json()["errors"][0]["line"] == where[0]
    assert await snapshot(client) == before


async def test_cycles_of_amendments_are_rejected(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    body = ndjson(
        line("law", slug="law-a", related=[{"type": "amends", "kind": "law", "slug": "law-b"}]),
        line("law", slug="law-b", related=[{"type": "repeals", "kind": "law", "slug": "law-c"}]),
        line("law", slug="law-c", related=[{"type": "amends", "kind": "law", "slug": "law-a"}]),
        line("law", slug="law-d", related=[{"type": "related", "kind": "law", "slug": "law-a"}]),
    )
    report = (await post(client, editor, body, "?dry_run=true")).json()
    assert sorted(e["line"] for e in report["errors"]) == [1, 2, 3]
    # "related" edges may go both ways.
    mutual = ndjson(
        line("law", slug="law-e", related=[{"type": "related", "kind": "law", "slug": "law-f"}]),
        line("law", slug="law-f", related=[{"type": "related", "kind": "law", "slug": "law-e"}]),
    )
    assert (await post(client, editor, mutual)).status_code == 200


async def test_oversized_upload_is_413(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(200):
            yield b" " * (1024 * 1024)

    r = await client.post(
        "/v1/import", content=body(), headers={**editor, "Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("delimiter", [",", ";"])
async def test_csv_of_organizations_with_bom(
    client: httpx.AsyncClient, editor: dict[str, str], delimiter: str
) -> None:
    rows = [
        ["slug", "name_en", "name_ru", "org_type", "countries", "services", "publication"],
        [
            "org-csv-one",
            "Legal Aid; Bishkek",
            "Правовая помощь",
            "legal_clinic",
            "KG|TJ",
            "legal_aid|hotline",
            "published",
        ],
        ["org-csv-two", "Oʻzbek Migrant Centre", "", "ngo", "UZ", "", "published"],
    ]
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    body = "\ufeff".encode() + out.getvalue().encode()
    r = await post(client, editor, body, ctype="text/csv")
    assert r.status_code == 200, r.text
    one = (await client.get("/v1/organizations/org-csv-one")).json()
    assert one["name"] == {"en": "Legal Aid; Bishkek", "ru": "Правовая помощь"}
    assert one["countries"] == ["KG", "TJ"] and one["services"] == ["legal_aid", "hotline"]
    assert (await client.get("/v1/organizations/org-csv-two")).json()["name"]["en"] == "Oʻzbek Migrant Centre"


async def test_csv_errors_name_the_row(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    body = b"slug,name_en,org_type\norg-ok,Fine,ngo\norg-bad,Bad,spaceship\n"
    report = (await post(client, editor, body, "?dry_run=true", ctype="text/csv")).json()
    assert [(e["line"], e["path"]) for e in report["errors"]] == [(3, "/org_type")]
    unknown = (
        await post(client, editor, b"slug,name_en,colour\nx1,X,red\n", "?dry_run=true", ctype="text/csv")
    ).json()
    assert unknown["errors"][0]["line"] == 1 and "colour" in unknown["errors"][0]["message"]
    deep = "[" * 50_000 + "]" * 50_000  # within the CSV reader's cap on a cell (128 KiB)
    body = f"slug,name_en,identifiers\norg-deep,Deep,{deep}\n".encode()
    for query in ("?dry_run=true", ""):
        r = await post(client, editor, body, query, ctype="text/csv")
        assert r.status_code == (200 if query else 422), r.text
        [error] = r.json()["errors"]
        assert error["line"] == 2 and "nested" in error["message"], error


async def test_import_needs_an_editor_key(client: httpx.AsyncClient) -> None:
    assert (await post(client, {}, GOOD)).status_code == 401
