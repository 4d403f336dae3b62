"""Do the pages of a search join? Pages 1 and 2 against one request for both, on many queries.

    .venv/bin/python bench/paging.py [--novel 200]

A fresh stack with the seed and the holdout records (bench/search.py's `bench_stack`, every vector
computed), then for the judged queries of both sets and `--novel` generated ones: page 1
(`limit=10`), page 2 (`offset=10`) and one request for 20. Prints how many queries with two pages
repeat a record on page 2, and how many show other records than the request for 20. Asserts
nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.relevance.run import post_records, wait_until_searchable  # noqa: E402
from bench.search import CLI, bench_stack  # noqa: E402
from bench.search_latency import judged_queries, novel_queries, wait_ready  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--novel", type=int, default=200)
    parser.add_argument("--database", default="migrantkb_bench_paging")
    args = parser.parse_args()
    with bench_stack(args.database, [["migrate"], ["seed"]]) as stack:
        wait_ready(stack.base)
        key = [CLI, "keys", "create", "--role", "editor"]
        created = subprocess.run(key, env=stack.env, check=True, capture_output=True, text=True)
        post_records(stack.base, created.stdout.strip().splitlines()[-1])
        wait_until_searchable(stack.base)
        judged = judged_queries()
        qs = judged + novel_queries(args.novel, 11, {q.casefold() for q in judged})
        paged = repeated = other = 0
        with httpx.Client(base_url=stack.base, timeout=30) as client:

            def ids(q: str, **params: int) -> list[str]:
                r = client.get("/v1/search", params={"q": q, **params})
                r.raise_for_status()
                return [h["id"] for h in r.json()["hits"]]

            for q in qs:
                first, second = ids(q, limit=10), ids(q, limit=10, offset=10)
                if len(first) < 10 or not second:
                    continue
                paged += 1
                repeated += bool(set(first) & set(second))
                other += set(first + second) != set(ids(q, limit=20)[: len(first) + len(second)])
    print(f"{paged} of {len(qs)} queries have two pages: {repeated} repeat a record on page 2, {other} show")
    print("other records than one request for 20")


if __name__ == "__main__":
    main()
