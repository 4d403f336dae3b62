"""The pieces `make run` starts: the pinned Meilisearch binary and the seed, on the real servers."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.runtime.meili import SHA256, _sha256, install_binary, start_local
from app.seed import SEED_FILE, load_seed


def test_meilisearch_binary_is_verified_and_starts(tmp_path: Path) -> None:
    binary = install_binary()
    assert _sha256(binary) == SHA256
    meili = start_local(tmp_path / "meili")
    try:
        request = urllib.request.Request(
            f"{meili.url}/version", headers={"Authorization": f"Bearer {meili.master_key}"}
        )
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert json.load(resp)["pkgVersion"] == "1.21.0"
        assert meili.url.startswith("http://127.0.0.1:")
    finally:
        meili.stop()
    assert meili.process is None


async def test_seed_loads_and_is_idempotent(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lines = [json.loads(line) for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    async with sessionmaker() as session:
        first = await load_seed(session)
        await session.commit()
    async with sessionmaker() as session:
        second = await load_seed(session)
        await session.commit()
    assert (first.created, first.updated, first.unchanged) == (len(lines), 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(lines))
    law = next(x for x in lines if x["kind"] == "law")
    got = (await client.get(f"/v1/laws/{law['slug']}?lang=all")).json()
    assert got["title"] == law["title"] and got["version"] == 1  # re-seeding an unchanged record is a no-op


async def test_stale_planner_statistics_are_refreshed(engine: AsyncEngine) -> None:
    """Where autovacuum is off (this machine's server), the API stands in for it: a table whose
    rows changed past autovacuum's threshold is vacuumed and analyzed, and then is fresh."""
    from app.runtime.statistics import vacuum_analyze

    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE stats_probe (id int)"))
        await conn.execute(text("INSERT INTO stats_probe SELECT generate_series(1, 500)"))
    try:
        deadline = time.monotonic() + 10
        done: list[str] = []
        while "stats_probe" not in done and time.monotonic() < deadline:
            done = await vacuum_analyze(engine)  # the server publishes row counts within a second
            await asyncio.sleep(0.2)
        assert "stats_probe" in done
        async with engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'stats_probe'"))
            ).scalar_one()
        assert rows == 500  # the planner now knows the table's size
        assert "stats_probe" not in await vacuum_analyze(engine)  # and it is fresh
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE stats_probe"))
