from __future__ import annotations

import csv
import io
import json

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.exports.cells import neutralised, restored
from app.seed import SEED_FILE
from tests.support.factories import create


async def test_export_round_trips_the_seed(
    client: httpx.AsyncClient, editor: dict[str, str], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    seed = SEED_FILE.read_bytes()
    r = await client.post(
        "/v1/import", content=seed, headers={**editor, "Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 200 and r.json()["counts"]["created"] == seed.count(b"\n")
    first = (await client.get("/v1/export")).text
    assert len(first.splitlines()) == seed.count(b"\n")
    async with sessionmaker() as s:  # empty the base, as a fresh mirror would be
        await s.execute(text("DELETE FROM records"))
        await s.commit()
    assert (await client.get("/v1/export")).text == ""
    again = await client.post(
        "/v1/import", content=first.encode(), headers={**editor, "Content-Type": "application/x-ndjson"}
    )
    assert again.json()["counts"]["created"] == len(first.splitlines())
    assert (await client.get("/v1/export")).text == first


async def test_export_shows_only_public_records(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    org = await create(client, editor, "organization", publication="draft", name={"en": "Secret Org"})
    await create(client, editor, "program", participants=[{"organization": org["slug"], "role": "donor"}])
    body = (await client.get("/v1/export")).text
    assert "Secret" not in body and org["slug"] not in body
    assert json.loads(body.splitlines()[0])["participants"] == []


async def test_csv_export_reimports(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    await create(
        client,
        editor,
        "organization",
        name={"en": 'Clinic, "Adilet"', "ky": "Адилет"},
        services=["legal_aid", "hotline"],
    )
    r = await client.get("/v1/export?kind=organization&format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0]["name_en"] == 'Clinic, "Adilet"' and rows[0]["services"] == "legal_aid|hotline"
    back = await client.post(
        "/v1/import?dry_run=true", content=r.content, headers={**editor, "Content-Type": "text/csv"}
    )
    assert back.status_code == 200, back.text
    assert back.json()["counts"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "rejected": 0,
        "attachments": 0,
    }


async def test_csv_cells_cannot_run_as_formulas(client: httpx.AsyncClient, editor: dict[str, str]) -> None:
    """OWASP CSV injection: a cell starting with = + - @ (or a tab or CR) is prefixed with `'`, so a
    spreadsheet shows it as text; the CSV import takes the prefix off (the export reimports unchanged)."""
    formula = '=HYPERLINK("http://127.0.0.1/x","open")'
    await create(
        client,
        editor,
        "organization",
        name={"en": formula, "ru": "@SUM(A1:A2)"},
        description={"en": "-2+3 lawyers"},
        phone="+996 312 000000",
        acronym="Adilet",
    )
    r = await client.get("/v1/export?kind=organization&format=csv")
    row = next(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert row["name_en"] == "'" + formula and row["name_ru"] == "'@SUM(A1:A2)"
    assert row["description_en"] == "'-2+3 lawyers" and row["phone"] == "'+996 312 000000"
    assert row["acronym"] == "Adilet" and row["slug"].startswith("org-")  # other cells as they are
    for cell in (c for line in csv.reader(io.StringIO(r.text.lstrip("\ufeff"))) for c in line):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    back = await client.post(
        "/v1/import?dry_run=true", content=r.content, headers={**editor, "Content-Type": "text/csv"}
    )
    assert back.status_code == 200, back.text
    assert back.json()["counts"]["unchanged"] == 1 and back.json()["counts"]["updated"] == 0


def test_formula_cells_are_neutralised_and_restored() -> None:
    for cell in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralised(cell) == "'" + cell and restored(neutralised(cell)) == cell
    for cell in ("plain", "'quoted", "1-2", "a=b", ""):
        assert neutralised(cell) == cell and restored(cell) == cell
