"""Webhook delivery on this machine: the real API, queue, worker and a real receiver on loopback.

1. Throughput: `--burst` records imported in one request, then the time until the receiver has a
   message for each (one subscription: deliveries are sequential, in feed order).
2. Lag: `--rate` writes per second through the API for `--seconds`, one record each; for every
   record, the time from its write's answer (the commit) until the receiver got its message.

    .venv/bin/python bench/webhooks.py [--burst 1000] [--rate 100] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.runtime.meili import free_port  # noqa: E402
from bench.search import CLI, bench_stack, percentile, wait_ready  # noqa: E402


class Arrivals:
    """When the receiver got each record's message, read from its log as it grows (not parsed
    again each time: the bench must not eat the CPU it measures)."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.offset = 0
        self.seen: dict[str, float] = {}

    def read(self) -> dict[str, float]:
        if self.log.exists():
            with self.log.open("rb") as f:
                f.seek(self.offset)
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.offset += len(complete)
            for line in complete.splitlines():
                entry = json.loads(line)
                if entry.get("status") == 200:
                    self.seen.setdefault(json.loads(entry["body"])["data"]["slug"], entry["at"])
        return self.seen


def organization(slug: str) -> dict[str, object]:
    return {
        "slug": slug,
        "name": {"en": f"Bench {slug}"},
        "org_type": "ngo",
        "countries": ["KG"],
        "publication": "published",
    }


async def wait_for(arrivals: Arrivals, slugs: set[str], timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        got = arrivals.read()
        if slugs <= got.keys() or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    extra = {
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "SEARCH_EMBEDDINGS": "false",
        "RATE_LIMIT_KEY": "1000000/minute",
    }
    with bench_stack("migrantkb_bench_webhooks", [["migrate"]], extra) as stack:
        asyncio.run(run(stack, args))


async def run(stack: Any, args: argparse.Namespace) -> None:
    made = subprocess.run(
        [CLI, "keys", "create", "--role", "editor", "--name", "bench"],
        env=stack.env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    editor = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    port, log = free_port(), stack.tmp / "received.jsonl"
    arrivals = Arrivals(log)
    receiver = subprocess.Popen(
        [sys.executable, "-m", "tests.support.receiver", str(port), str(log)], cwd=ROOT
    )
    try:
        wait_ready(stack.base)
        async with httpx.AsyncClient(base_url=stack.base, timeout=60, headers=editor) as api:
            r = await api.post("/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/hook"})
            r.raise_for_status()

            lines = "".join(
                json.dumps({"kind": "organization", **organization(f"org-burst-{i}")}) + "\n"
                for i in range(args.burst)
            )
            started = time.monotonic()
            r = await api.post("/v1/import", content=lines, headers={"Content-Type": "application/x-ndjson"})
            r.raise_for_status()
            committed, import_seconds = time.time(), time.monotonic() - started
            got = await wait_for(arrivals, {f"org-burst-{i}" for i in range(args.burst)}, 600)
            last = max(got.values())
            print(
                f"throughput: {len(got)} messages in {last - committed:.1f} s after the import's commit "
                f"= {len(got) / (last - committed):.0f} deliveries/s (the import took "
                f"{import_seconds:.1f} s)"
            )

            commits: dict[str, float] = {}

            async def write(i: int) -> None:
                slug = f"org-lag-{i}"
                r = await api.post("/v1/organizations", json=organization(slug))
                r.raise_for_status()
                commits[slug] = time.time()

            total = int(args.rate * args.seconds)
            begin = time.monotonic()
            tasks = []
            for i in range(total):
                await asyncio.sleep(max(0.0, begin + i / args.rate - time.monotonic()))
                tasks.append(asyncio.create_task(write(i)))
            await asyncio.gather(*tasks)
            achieved = total / (time.monotonic() - begin)
            got = await wait_for(arrivals, set(commits), 600)
            lags = sorted((got[s] - commits[s]) * 1000 for s in commits if s in got)
            print(
                f"lag at {achieved:.0f} writes/s for {args.seconds:g} s ({total} writes): "
                f"p50 {statistics.median(lags):.0f} ms, p95 {percentile(lags, 0.95):.0f} ms, "
                f"max {lags[-1]:.0f} ms; {total - len(lags)} not delivered"
            )
    finally:
        receiver.kill()
        receiver.wait()


if __name__ == "__main__":
    main()
