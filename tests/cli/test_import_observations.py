"""`migrantkb import-observations`: a published file into an indicator, from the command line, all
or nothing, in a process of its own on the test database."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.fixtures import key_headers
from tests.support.servers import run_cli

OPEN_SDG = "Year,Sex,Value\n2021,,3.5\n2021,F,3.1\n2022,,\n"


async def test_a_file_imports_and_a_bad_one_writes_nothing(
    committed_client: httpx.AsyncClient,
    committed: async_sessionmaker[AsyncSession],
    database_url: str,
    tmp_path: Path,
) -> None:
    editor = await key_headers(committed, "editor")
    body = {"slug": "sdg-share", "name": {"en": "A share"}, "unit": "percent", "publication": "published"}
    assert (await committed_client.post("/v1/indicators", json=body, headers=editor)).status_code == 201
    good, bad = tmp_path / "10-7-2.csv", tmp_path / "bad.csv"
    good.write_text(OPEN_SDG, encoding="utf-8")
    bad.write_text(OPEN_SDG.replace("3.1", "three"), encoding="utf-8")
    common = ["--indicator", "sdg-share", "--format", "open-sdg", "--source", "src-kg-sdg", "--country", "KG"]
    named = ["--publisher", "National Statistical Committee", "--title", "SDG 10.7.2", "--vintage", "2021"]
    env = {"DATABASE_URL": database_url}
    failed = run_cli("import-observations", str(bad), *common, *named, env=env)
    assert failed.returncode == 1 and "line 3 /value: 'three' is not a number" in failed.stderr
    dry = run_cli("import-observations", str(good), *common, *named, "--dry-run", env=env)
    assert dry.returncode == 0 and "2 values checked (dry run)" in dry.stdout, dry.stderr
    assert (await committed_client.get("/v1/indicators/sdg-share/observations")).json()["total"] == 0
    done = run_cli("import-observations", str(good), *common, *named, env=env)
    assert done.returncode == 0, done.stderr
    assert "2 added, 0 replaced, 1 skipped" in done.stdout
    page = (await committed_client.get("/v1/indicators/sdg-share/observations")).json()
    assert {(i["period"], i["value"], tuple(i["disaggregation"].items())) for i in page["items"]} == {
        ("2021", 3.5, ()),
        ("2021", 3.1, (("Sex", "F"),)),
    }
    assert page["sources"][0]["publisher"] == "National Statistical Committee"
