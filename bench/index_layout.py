"""One index with a `kind` attribute, or one index per kind with federated multi-search?

    .venv/bin/python bench/index_layout.py [--relevance ../shared/relevance]

Indexes the seeded base (DATABASE_URL, else the local `migrantkb` database) both ways in a
Meilisearch it starts, runs the judged queries through each layout with the same settings and
query text, and prints nDCG@10 and latency. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meilisearch_python_sdk import AsyncClient  # noqa: E402
from meilisearch_python_sdk.models.search import Federation, SearchParams  # noqa: E402

from app.core.config import get_settings  # noqa: E402
from app.core.db import make_engine, make_sessionmaker  # noqa: E402
from app.runtime.meili import start_local  # noqa: E402
from app.runtime.postgres import resolve_database_url  # noqa: E402
from app.search.index import FACETS, SearchIndex  # noqa: E402
from app.search.query import query_text  # noqa: E402
from app.search.sync import public_documents  # noqa: E402

KINDS = ["law", "policy", "program", "organization"]


def _filter(filters: dict[str, Any], with_kind: bool) -> list[str]:
    out = []
    for key, field in (("kind", "kind"), ("country", "countries"), ("topic", "topics")):
        values = filters.get(key) or []
        if values and (key != "kind" or with_kind):
            out.append(f"{field} IN [{', '.join(repr(str(v)).replace(chr(39), chr(34)) for v in values)}]")
    return out


async def main(relevance: Path) -> None:
    spec = importlib.util.spec_from_file_location("relevance_eval", relevance / "eval.py")
    assert spec and spec.loader
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    queries = __import__("json").loads((relevance / "dev.json").read_text())["queries"]

    meili = start_local(Path(tempfile.mkdtemp()) / "meili")
    engine = make_engine(resolve_database_url(get_settings()))
    try:
        async with AsyncClient(meili.url, meili.master_key, timeout=60) as client:
            indexes = {uid: SearchIndex(client, uid) for uid in ["all", *(f"kind_{kind}" for kind in KINDS)]}
            for index in indexes.values():
                await index.ensure()
            async with make_sessionmaker(engine)() as session:
                async for docs in public_documents(session):
                    for uid, part in [("all", docs)] + [
                        (f"kind_{k}", [d for d in docs if d["kind"] == k]) for k in KINDS
                    ]:
                        if part:
                            await indexes[uid].wait(await indexes[uid].add(part), timeout_ms=120_000)

            async def single(q: dict[str, Any]) -> list[dict[str, Any]]:
                r = await client.index("all").search(
                    query_text(q["q"]),
                    limit=10,
                    filter=_filter(q.get("filters") or {}, True) or None,
                    facets=FACETS,
                    matching_strategy="last",
                )
                return r.hits

            async def federated(q: dict[str, Any]) -> list[dict[str, Any]]:
                filters = q.get("filters") or {}
                kinds = filters.get("kind") or KINDS
                r = await client.multi_search(
                    [
                        SearchParams(
                            index_uid=f"kind_{k}",
                            query=query_text(q["q"]),
                            filter=_filter(filters, False) or None,
                            matching_strategy="last",
                        )
                        for k in kinds
                    ],
                    federation=Federation(limit=10),
                )
                return r.hits  # type: ignore[union-attr]

            for name, search in (("one index + kind", single), ("index per kind, federated", federated)):
                times, results = [], []
                for q in queries:
                    start = time.perf_counter()
                    hits = await search(q)
                    times.append((time.perf_counter() - start) * 1000)
                    relevant = {str(k): int(v) for k, v in q["relevant"].items()}
                    results.append(ev.score_query(ev.ranked_record_ids(hits, relevant), relevant))
                print(
                    f"{name:28} nDCG@10 {ev.mean(r['ndcg'] for r in results):.3f}  "
                    f"p50 {statistics.median(times):.1f} ms  max {max(times):.1f} ms"
                )
    finally:
        meili.stop()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--relevance", type=Path, default=ROOT.parent / "shared" / "relevance")
    asyncio.run(main(parser.parse_args().relevance))
