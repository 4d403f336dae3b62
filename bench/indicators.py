"""Indicators: observations import rate and chart render time, printed (not a test).

    .venv/bin/python bench/indicators.py [--years 60] [--charts 30]

On a fresh database (migrated, seeded): a World Bank bulk CSV of every ISO country for 60 years is
generated in the real layout (four preamble lines, a column per year) and imported through the same
service as `migrantkb import-observations` / the POST route (check every value, COPY, upsert, the
indicator's countries), timed to commit: values/s. Then the seed's remittances chart of three
countries (KG, TJ, UZ; five sources) is asked for through the app, SVG and PNG, and the p50 and p95
of the requests are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import time
from pathlib import Path

import httpx
import pycountry
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import get_settings  # noqa: E402
from app.core.db import make_engine, make_sessionmaker  # noqa: E402
from app.indicators.chart import draw  # noqa: E402
from app.indicators.importer import ImportRequest, import_observations  # noqa: E402
from app.indicators.kind import INDICATOR  # noqa: E402
from app.indicators.rows import SourceIn  # noqa: E402
from app.main import create_app  # noqa: E402
from app.runtime.migrations import run_migrations  # noqa: E402
from app.runtime.postgres import create_database, drop_database, resolve_database_url  # noqa: E402
from app.seed import SYSTEM, load_seed  # noqa: E402

CODE = "BX.TRF.PWKR.DT.GD.ZS"


def world_bank_csv(years: int, seed: int = 25) -> tuple[bytes, int]:
    """Every ISO country (and a few aggregates, skipped on import) × `years` years, some cells empty."""
    rng = random.Random(seed)
    first = 2025 - years
    columns = [str(y) for y in range(first, 2025)]
    out = io.StringIO()
    out.write('"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-07-01",\n\n')
    out.write('"Country Name","Country Code","Indicator Name","Indicator Code",')
    out.write(",".join(f'"{c}"' for c in columns) + ",\n")
    values = 0
    areas = [(c.name, c.alpha_3) for c in pycountry.countries] + [
        ("World", "WLD"),
        ("Europe & Central Asia", "ECS"),
    ]
    for name, code in areas:
        cells = []
        for _ in columns:
            if rng.random() < 0.03:
                cells.append('""')
            else:
                cells.append(f'"{rng.uniform(0, 50):.6f}"')
                values += code not in ("WLD", "ECS")
        out.write(
            f'"{name}","{code}","Personal remittances, received (% of GDP)","{CODE}",{",".join(cells)},\n'
        )
    return out.getvalue().encode(), values


async def import_rate(url: str, years: int) -> None:
    first = world_bank_csv(years)
    second = world_bank_csv(years, seed=26)  # the same cells, other values: every one changes
    engine = make_engine(url, pool_size=2)
    source = SourceIn(key="src-bench", publisher="World Bank", title="WDI (generated)", vintage="bench")
    request = ImportRequest("remittances-gdp", "wb-csv", "src-bench", source)
    for attempt, (data, expected) in (("first import", first), ("second import (other values)", second)):
        async with make_sessionmaker(engine)() as session:
            started = time.perf_counter()
            report = await import_observations(session, INDICATOR, SYSTEM, request, data)
            await session.commit()
            seconds = time.perf_counter() - started
        assert not report.errors and report.rows == expected, report.errors[:3]
        print(
            f"{attempt}: {report.rows} values ({len(data) / 1e6:.1f} MB CSV) in {seconds:.2f} s = "
            f"{report.rows / seconds:,.0f} values/s; added {report.counts.added}, "
            f"replaced {report.counts.replaced}, skipped {report.counts.skipped}"
        )
    await engine.dispose()


def render_times(spec: dict[str, object], n: int) -> None:
    """The renderer alone, without its cache: what a chart not drawn before costs."""
    for fmt in ("svg", "png"):
        times = []
        for _ in range(n):
            started = time.perf_counter()
            draw(spec, fmt)  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
        times.sort()
        print(
            f"render {fmt} (vl-convert, no cache): p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {times[int(0.95 * (n - 1))] * 1000:.0f} ms over {n}"
        )


async def chart_times(url: str, n: int) -> None:
    app = create_app(get_settings().model_copy(update={"database_url": url, "meili_url": None}))
    engine = make_engine(url, pool_size=2)
    app.state.services.sessionmaker = make_sessionmaker(engine)
    params = {"country": "KG,TJ,UZ", "from": "2008", "to": "2024", "lang": "ru"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for fmt in ("vl.json", "svg", "png"):
            path = f"/v1/indicators/remittances-gdp/chart.{fmt}"
            first = time.perf_counter()
            r = await client.get(path, params=params)
            cold = time.perf_counter() - first
            assert r.status_code == 200, r.text
            times = []
            for _ in range(n):
                started = time.perf_counter()
                r = await client.get(path, params=params)
                times.append(time.perf_counter() - started)
                assert r.status_code == 200
            times.sort()
            if fmt == "vl.json":
                spec = r.json()
            print(
                f"GET chart.{fmt}: p50 {statistics.median(times) * 1000:.0f} ms, "
                f"p95 {times[int(0.95 * (n - 1))] * 1000:.0f} ms over {n} requests "
                f"(first {cold * 1000:.0f} ms; {len(r.content) / 1024:.0f} KB; then from the cache)"
            )
    render_times(spec, n)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=60)
    parser.add_argument("--charts", type=int, default=30)
    args = parser.parse_args()
    server = resolve_database_url(get_settings())
    url = make_url(server).set(database="migrantkb_ind_bench").render_as_string(hide_password=False)
    asyncio.run(drop_database(url))
    asyncio.run(create_database(url))
    run_migrations(url)
    try:

        async def seed() -> None:
            engine = make_engine(url, pool_size=1)
            async with make_sessionmaker(engine)() as session:
                await load_seed(session)
                await session.commit()
            await engine.dispose()

        asyncio.run(seed())
        asyncio.run(import_rate(url, args.years))
        asyncio.run(chart_times(url, args.charts))
    finally:
        asyncio.run(drop_database(url))


if __name__ == "__main__":
    main()
