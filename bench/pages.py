"""The pages for people against the JSON calls they wrap, on the seed, in one run (issue #26: a
page's p50 within 1.5× of its JSON call).

    .venv/bin/python bench/pages.py [--rounds 100] [--cache-seconds 0] [--database NAME]

A fresh database with the seed, its own Meilisearch, the API (`migrantkb serve`, one worker) and
the worker; each pair asked alternately (page, JSON, page, JSON …) so load on the machine falls on
both alike, over a set of queries in several languages. The search answer cache is off by default
(`--cache-seconds 0`): every request does the whole search. Prints p50 and p95 per pair and the
ratio of the p50s; asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import bench_stack, wait_ready  # noqa: E402

QUERIES = [
    "трудовые мигранты",
    "Тышкы эмгек миграциясы",
    "labour migrants Russia",
    "босқындар туралы заң",
    "mehnat migratsiyasi",
    "муҳоҷирати меҳнатӣ",
    "refugees Kazakhstan",
    "закон о внешней миграции",
]
LAW = "law-kg-external-labour-migration-2006"
INDICATOR = "remittances-gdp"


def pairs() -> dict[str, list[tuple[str, str]]]:
    today = dt.date.today().isoformat()
    qs = [quote(q) for q in QUERIES]
    return {
        "search": [(f"/ru/search?q={q}", f"/v1/search?q={q}&lang=ru") for q in qs],
        "search, a facet": [
            (f"/ky/search?q={q}&country=KG", f"/v1/search?q={q}&country=KG&lang=ky") for q in qs
        ],
        "record (law, in force today)": [(f"/ky/laws/{LAW}", f"/v1/laws/{LAW}?lang=ky&as_of={today}")],
        "timeline (KG, 50)": [("/ru/timeline?country=KG", "/v1/timeline?country=KG&lang=ru&limit=50")],
        # The page reads the indicator (with its sources and coverage) and a page of its values.
        "indicator vs its values": [
            (f"/ru/indicators/{INDICATOR}", f"/v1/indicators/{INDICATOR}/observations?lang=ru&limit=200"),
            (
                f"/ru/indicators/{INDICATOR}?country=KG&from=2015",
                f"/v1/indicators/{INDICATOR}/observations?country=KG&from=2015&lang=ru&limit=200",
            ),
        ],
        "feed vs its search": [
            (f"/v1/feeds/search.atom?q={q}&country=KG", f"/v1/search?q={q}&country=KG&limit=100") for q in qs
        ],
    }


async def timed(client: httpx.AsyncClient, url: str) -> float:
    start = time.perf_counter()
    r = await client.get(url)
    r.raise_for_status()
    return (time.perf_counter() - start) * 1000


async def measure(base: str, rounds: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for urls in pairs().values():  # warm: the model, the connections, the templates
            for page, api in urls:
                await timed(client, page)
                await timed(client, api)
        print(f"{'pair':32} {'page p50':>9} {'JSON p50':>9} {'ratio':>6} {'page p95':>9} {'JSON p95':>9}")
        for name, urls in pairs().items():
            page_ms: list[float] = []
            api_ms: list[float] = []
            for i in range(rounds):
                page, api = urls[i % len(urls)]
                if i % 2:  # alternate which goes first
                    api_ms.append(await timed(client, api))
                    page_ms.append(await timed(client, page))
                else:
                    page_ms.append(await timed(client, page))
                    api_ms.append(await timed(client, api))
            p50, a50 = statistics.median(page_ms), statistics.median(api_ms)
            p95 = statistics.quantiles(page_ms, n=20)[-1]
            a95 = statistics.quantiles(api_ms, n=20)[-1]
            print(f"{name:32} {p50:8.1f}ms {a50:8.1f}ms {p50 / a50:5.2f}× {p95:8.1f}ms {a95:8.1f}ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--cache-seconds", type=float, default=0.0)
    parser.add_argument("--database", default="migrantkb_site_bench_pages", help="made afresh, dropped after")
    args = parser.parse_args()
    extra = {"SEARCH_CACHE_SECONDS": str(args.cache_seconds)}
    with bench_stack(args.database, [["migrate"], ["seed"]], extra) as stack:
        wait_ready(stack.base)
        while httpx.get(f"{stack.base}/readyz").json()["outbox_pending"]:
            time.sleep(1)
        print(f"seed indexed; {args.rounds} rounds per pair, answer cache {args.cache_seconds} s")
        asyncio.run(measure(stack.base, args.rounds))


if __name__ == "__main__":
    main()
