"""When may a new query skip its vector? Each rule measured on both judged sets and on new queries.

    .venv/bin/python bench/settle.py [--variant NAME=ENV=VALUE[,ENV=VALUE] ...] [--novel 150]

One stack with the seed (bench/search.py's `bench_stack`), every vector computed. For each variant
an API process of its own on the same base (answer cache off, no indexer, the variant's settings):
first the novel queries of bench/search_latency.py (judged ones and generated ones, each asked once)
timed one at a time beside bare Meilisearch, with the share of them that computed their vector
(the `migrantkb_search_query_vectors` counter of that process); then the shared dev set, and after
the holdout records are posted, the holdout set (the shared eval.py, nDCG@10 and its per-language
lines). Prints a table; asserts nothing. Without --variant: the exact rule (defaults) against
`SEARCH_SETTLE_SCORE=0` (skip whenever the keyword hits fill the page).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.runtime.meili import free_port  # noqa: E402
from bench.relevance.run import SHARED, post_records, wait_until_searchable  # noqa: E402
from bench.search import BARE_BODY, CLI, bench_stack, client_pair, sequential  # noqa: E402
from bench.search_latency import copy_to_bare, judged_queries, novel_queries, vector_counts, wait_ready  # noqa: E402

HOLDOUT = ROOT / "bench" / "relevance" / "holdout.json"


def evaluate(base: str, queries: Path) -> tuple[str, str]:
    out = subprocess.run(
        [sys.executable, str(SHARED / "eval.py"), "--base-url", base, "--queries", str(queries)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    overall = re.findall(r"^nDCG@10 ([0-9.]+)$", out, re.M)[-1]
    section = out.split("By lang", 1)[-1].split("\nOverall", 1)[0]
    langs = " ".join(
        f"{m[1]} {float(m[2]):.2f}" for m in re.finditer(r"^(\w\w)\s+\d+\s+([0-9.]+)", section, re.M)
    )
    return overall, langs


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, settings = text.partition("=")
    return name, dict(item.split("=", 1) for item in settings.split(",") if item)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", action="append", default=[], help="NAME=ENV=VALUE[,ENV=VALUE]")
    parser.add_argument("--novel", type=int, default=100, help="generated queries beside the judged ones")
    parser.add_argument("--database", default="migrantkb_bench_settle")
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variant] or [
        ("exact", {}),
        ("full page", {"SEARCH_SETTLE_SCORE": "0"}),
    ]
    with bench_stack(args.database, [["migrate"], ["seed"]]) as stack:
        wait_ready(stack.base)
        copy_to_bare(stack.meili.url, stack.meili.master_key)
        judged = judged_queries()
        qs = judged + novel_queries(args.novel, 11, {q.casefold() for q in judged})
        headers = {"Authorization": f"Bearer {stack.meili.master_key}"}
        bare_requests = [
            (
                f"POST {stack.meili.url}/indexes/bare/search",
                {"headers": headers, "json": {"q": q, **BARE_BODY}},
            )
            for q in qs
        ]
        servers: list[tuple[str, str, subprocess.Popen[bytes]]] = []
        rows: dict[str, list[str]] = {}
        try:
            for name, settings in variants:
                port = free_port()
                env = {**stack.env, "SEARCH_CACHE_SECONDS": "0", "RUN_INDEXER": "false", **settings}
                quiet = subprocess.DEVNULL
                process = subprocess.Popen(
                    [CLI, "serve", "--port", str(port)], env=env, stdout=quiet, stderr=quiet
                )
                servers.append((name, f"http://127.0.0.1:{port}", process))
            for name, base, _ in servers:
                wait_ready(base)

                async def timed(base: str = base) -> tuple[list[float], list[float]]:
                    api_client, bare_client = client_pair(4)
                    async with api_client as a, bare_client as b:
                        await sequential(b, bare_requests[:5])
                        api = [(f"GET {base}/v1/search", {"params": {"q": q, "limit": "10"}}) for q in qs]
                        return await sequential(a, api), await sequential(b, bare_requests)

                api, bare = asyncio.run(timed())
                counts = vector_counts(base)
                needed = counts.get("needed", 0.0) / max(1.0, sum(counts.values()))
                ratio = statistics.median(api) / statistics.median(bare)
                dev, dev_langs = evaluate(base, SHARED / "dev.json")
                rows[name] = [
                    f"{statistics.median(api):.1f}",
                    f"{ratio:.2f}x",
                    f"{needed:.0%}",
                    dev,
                    dev_langs,
                ]
                print(
                    f"{name}: p50 {rows[name][0]} ms ({rows[name][1]} bare), "
                    f"vectors {rows[name][2]}, dev {dev}",
                    flush=True,
                )
            key = (
                subprocess.run(
                    [CLI, "keys", "create", "--role", "editor"],
                    env=stack.env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            post_records(stack.base, key)
            wait_until_searchable(stack.base)
            for name, base, _ in servers:
                holdout, langs = evaluate(base, HOLDOUT)
                rows[name] += [holdout, langs]
                print(f"{name}: holdout {holdout}  {langs}", flush=True)
        finally:
            for _, _, process in servers:
                process.terminate()
                process.wait()
    print(f"\n{len(qs)} new queries each ({len(judged)} judged, the rest generated), one at a time")
    print(f"{'variant':<16} {'p50 ms':>7} {'vs bare':>8} {'vectors':>8} {'dev':>6} {'holdout':>8}")
    for name, r in rows.items():
        print(f"{name:<16} {r[0]:>7} {r[1]:>8} {r[2]:>8} {r[3]:>6} {r[5]:>8}")
        print(f"{'':<16} dev by language: {r[4]}")
        print(f"{'':<16} holdout by language: {r[6]}")


if __name__ == "__main__":
    main()
