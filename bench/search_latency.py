"""/v1/search against bare Meilisearch on the same documents, in one run.

    .venv/bin/python bench/search_latency.py [--rounds 3] [--clients 16]

Starts its own Meilisearch and API server on a fresh database with the seed, waits until every
record is indexed and has its vector, then copies the index's documents into a second index with
Meilisearch's default settings (only the facet attributes made filterable, which facets need).
The judged queries of both sets (shared/relevance/dev.json, bench/relevance/holdout.json) are sent
`rounds` times, one after another, to both: the API (`limit=10`, all facets, snippets) and bare
Meilisearch (the raw query, `limit` 10, the same facets, crop and highlight of the summaries).
Prints p50/p95 over all rounds, the first (uncached) round's p95 apart, then throughput with
`clients` concurrent clients. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.search.index import FACETS  # noqa: E402
from bench.search import bench_stack, client_pair, concurrent, percentile, sequential  # noqa: E402

CLI = str(ROOT / ".venv" / "bin" / "migrantkb")
QUERY_FILES = [
    ROOT.parent / "shared" / "relevance" / "dev.json",
    ROOT / "bench" / "relevance" / "holdout.json",
]


def judged_queries() -> list[str]:
    return [q["q"] for f in QUERY_FILES if f.exists() for q in json.loads(f.read_text())["queries"]]


def wait_ready(base: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ready = httpx.get(f"{base}/readyz", timeout=5).json()
            if ready["outbox_pending"] == 0 and ready["vector_backlog"] == 0 and ready["meilisearch"]:
                return
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(1)
    sys.exit("the index never caught up")


def copy_to_bare(meili_url: str, key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=meili_url, headers=headers, timeout=60) as c:
        docs = c.get("/indexes/records/documents", params={"limit": 10000}).json()["results"]
        c.post("/indexes", json={"uid": "bare", "primaryKey": "id"}).raise_for_status()
        tasks = [
            c.patch("/indexes/bare/settings", json={"filterableAttributes": FACETS}).json()["taskUid"],
            c.post("/indexes/bare/documents", json=docs).json()["taskUid"],
        ]
        for task in tasks:
            while c.get(f"/tasks/{task}").json()["status"] not in ("succeeded", "failed"):
                time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    with bench_stack("migrantkb_bench_latency", [["migrate"], ["seed"]]) as stack:
        base, meili = stack.base, stack.meili
        wait_ready(base)
        copy_to_bare(meili.url, meili.master_key)
        qs = judged_queries()
        api_requests = [(f"GET {base}/v1/search", {"params": {"q": q, "limit": "10"}}) for q in qs]
        bare_body = {
            "limit": 10,
            "facets": FACETS,
            "attributesToCrop": ["summaries"],
            "cropLength": 28,
            "attributesToHighlight": ["summaries"],
            "showRankingScore": True,
        }
        headers = {"Authorization": f"Bearer {meili.master_key}"}
        bare_requests = [
            (f"POST {meili.url}/indexes/bare/search", {"headers": headers, "json": {"q": q, **bare_body}})
            for q in qs
        ]

        async def measure() -> None:
            api_client, bare_client = client_pair(64)
            async with api_client as client, bare_client as bare:
                rounds_api, rounds_bare = [], []
                for _ in range(args.rounds):
                    rounds_api.append(await sequential(client, api_requests))
                    rounds_bare.append(await sequential(bare, bare_requests))
                api_tp = await concurrent(client, api_requests * args.rounds, args.clients)
                bare_tp = await concurrent(bare, bare_requests * args.rounds, args.clients)
            a = [t for r in rounds_api for t in r]
            b = [t for r in rounds_bare for t in r]
            print(f"{len(qs)} judged queries x {args.rounds} rounds, sequential")
            print(
                f"  API  p50 {statistics.median(a):.1f} ms, p95 {percentile(a, 0.95):.1f} ms; "
                f"first round p95 {percentile(rounds_api[0], 0.95):.1f} ms"
            )
            print(
                f"  bare p50 {statistics.median(b):.1f} ms, p95 {percentile(b, 0.95):.1f} ms; "
                f"first round p95 {percentile(rounds_bare[0], 0.95):.1f} ms"
            )
            print(
                "  per round p50, API / bare: "
                + ", ".join(
                    f"{statistics.median(x):.1f}/{statistics.median(y):.1f}"
                    for x, y in zip(rounds_api, rounds_bare, strict=True)
                )
            )
            print(f"  p50 ratio {statistics.median(a) / statistics.median(b):.2f}x (target <= 2x)")
            print(
                f"{args.clients} clients: API {api_tp:.0f} req/s, bare {bare_tp:.0f} req/s "
                f"({api_tp / bare_tp:.0%} of bare; target >= 50%)"
            )

        asyncio.run(measure())


if __name__ == "__main__":
    main()
