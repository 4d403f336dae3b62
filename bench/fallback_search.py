"""The PostgreSQL search (used while Meilisearch is away) on an existing base: seconds per query,
printed (not a test). Each query runs as /v1/search runs it (all facets, 10 hits), without the
request's time budget.

    DATABASE_URL=postgresql://…/migrantkb_x .venv/bin/python bench/fallback_search.py [--rounds 3] [q …]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import get_settings  # noqa: E402
from app.core.db import make_engine, make_sessionmaker  # noqa: E402
from app.search.fallback import fallback_search  # noqa: E402
from app.search.index import FACET_NAMES  # noqa: E402
from app.search.params import SearchParams  # noqa: E402
from app.search.query import parse_query  # noqa: E402

QUERIES = ["migration", "мигранты", "labour migration rights", "закон о миграции", "refugee protection"]


async def main(queries: list[str], rounds: int) -> None:
    url = get_settings().database_url
    if not url:
        sys.exit("DATABASE_URL must name the base to measure")
    engine = make_engine(url, pool_size=1, max_overflow=0)
    factory = make_sessionmaker(engine)
    try:
        for q in queries:
            params = SearchParams(q, [], [], [], [], None, None, 10, 0, list(FACET_NAMES))
            query = parse_query(q)
            times, total = [], 0
            for _ in range(rounds):
                async with factory() as session:
                    start = time.perf_counter()
                    _, total, _ = await fallback_search(session, params, query)
                    times.append(time.perf_counter() - start)
            print(f"{q!r:32} {total:>7} hits  median {statistics.median(times):7.3f} s  ({rounds} rounds)")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("queries", nargs="*", default=QUERIES)
    args = parser.parse_args()
    asyncio.run(main(args.queries, args.rounds))
