"""Search at scale: sync throughput and latency of /v1/search against Meilisearch itself.

    .venv/bin/python bench/search.py [--size 100000] [--requests 400]

Starts its own Meilisearch and API server on a fresh database, imports `size` synthetic records
with `migrantkb import` while sampling the outbox lag, waits until every record is searchable,
watches the vector backlog shrink for a while (vectors per second), then times the same queries
through the API and straight to Meilisearch: p50/p95 sequential, and throughput with 16
concurrent clients; last, the API process's peak memory. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import get_settings  # noqa: E402
from app.runtime.meili import MeiliProcess, free_port, start_local  # noqa: E402
from app.runtime.postgres import create_database, drop_database, resolve_database_url  # noqa: E402
from app.search.index import FACETS  # noqa: E402
from app.search.query import query_text  # noqa: E402
from bench.generate import WORDS, records  # noqa: E402

CLI = str(ROOT / ".venv" / "bin" / "migrantkb")


def queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lang = rng.choice(list(WORDS))
        out.append(" ".join(rng.choice(WORDS[lang]) for _ in range(rng.randint(1, 3))))
    return out


def count(url: str, sql: str) -> int:
    import asyncpg

    async def fetch() -> int:
        u = make_url(url)
        conn = await asyncpg.connect(
            user=u.username or "postgres", host=u.host, port=u.port, database=u.database
        )
        try:
            return int(await conn.fetchval(sql))
        finally:
            await conn.close()

    return asyncio.run(fetch())


def pending(url: str) -> int:
    return count(url, "SELECT count(*) FROM changes WHERE indexed_at IS NULL")


def backlog(url: str) -> int:
    return count(url, "SELECT count(*) FROM vector_backlog")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Stack:
    env: dict[str, str]
    base: str  # the API's URL
    api: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    meili: MeiliProcess
    tmp: Path

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]


@contextlib.contextmanager
def bench_stack(
    database: str, setup: list[list[str]], extra: dict[str, str] | None = None
) -> Iterator[Stack]:
    """A fresh database, a Meilisearch, an API server and a worker (vectors are its jobs) of the
    bench's own (after the `setup` CLI steps); all of it removed afterwards."""
    server = resolve_database_url(get_settings())
    url = make_url(server).set(database=database).render_as_string(hide_password=False)
    asyncio.run(drop_database(url))
    asyncio.run(create_database(url))
    tmp = Path(tempfile.mkdtemp(prefix="mkb-bench-"))
    meili = start_local(tmp / "meili")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
        "MEILI_INDEX": "records",
        "RATE_LIMIT_ANONYMOUS": "1000000/minute",  # measure search, not the rate limiter
        **(extra or {}),
    }
    api = worker = None
    try:
        for step in setup:
            subprocess.run([CLI, *step], env=env, check=True, stdout=subprocess.DEVNULL)
        quiet = subprocess.DEVNULL
        api = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=quiet, stderr=quiet)
        worker = subprocess.Popen([CLI, "worker"], env=env, stdout=quiet, stderr=quiet)
        yield Stack(env, f"http://127.0.0.1:{port}", api, worker, meili, tmp)
    finally:
        for process in (api, worker):
            if process is not None:
                process.terminate()
                process.wait()
        meili.stop()
        asyncio.run(drop_database(url))


def wait_ready(base: str, timeout: float = 120) -> None:
    """Until the API's /readyz answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API never became ready")


def client_pair(connections: int) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    """A client for the API and one for bare Meilisearch. Meilisearch answers late on kept-alive
    connections (app/search/client.py): it is reached the fast way, a connection per request, as
    the API reaches it."""
    fresh = httpx.Limits(max_connections=connections, max_keepalive_connections=0)
    return (
        httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=connections)),
        httpx.AsyncClient(timeout=30, limits=fresh),
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def sequential(client: httpx.AsyncClient, requests: list[tuple[str, dict]]) -> list[float]:
    times = []
    for method_url, kwargs in requests:
        method, url = method_url.split(" ", 1)
        start = time.perf_counter()
        r = await client.request(method, url, **kwargs)
        r.raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def concurrent(client: httpx.AsyncClient, requests: list[tuple[str, dict]], workers: int = 16) -> float:
    queue = list(requests)
    start = time.perf_counter()

    async def worker() -> None:
        while queue:
            method_url, kwargs = queue.pop()
            method, url = method_url.split(" ", 1)
            (await client.request(method, url, **kwargs)).raise_for_status()

    await asyncio.gather(*(worker() for _ in range(workers)))
    return len(requests) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--vector-seconds", type=int, default=120, help="how long to watch vectors come")
    args = parser.parse_args()
    with bench_stack("migrantkb_bench_search", [["migrate"]]) as stack:
        env, url, tmp, meili, api = stack.env, stack.database_url, stack.tmp, stack.meili, stack.api
        data = tmp / "records.ndjson"
        with data.open("w", encoding="utf-8") as f:
            for record in records(args.size):
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        lags: list[int] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                with contextlib.suppress(Exception):
                    lags.append(pending(url))
                done.wait(2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        subprocess.run(
            [CLI, "import", str(data)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        imported = time.perf_counter() - start
        while pending(url):
            time.sleep(1)
        searchable = time.perf_counter() - start
        done.set()
        print(
            f"import of {args.size} records: committed after {imported:.0f} s; all searchable after "
            f"{searchable:.0f} s ({searchable - imported:.0f} s after the import ended); "
            f"outbox lag during import: max {max(lags or [0])} rows, "
            f"median {int(statistics.median(lags or [0]))}"
        )

        # Vectors follow in the background: measure their rate for a while and extrapolate.
        first, t0 = backlog(url), time.perf_counter()
        time.sleep(args.vector_seconds)
        rate = (first - backlog(url)) / (time.perf_counter() - t0)
        left = backlog(url)
        print(
            f"vectors: {rate:.1f}/s over {args.vector_seconds} s; {left} still to compute, "
            f"all {args.size} with vectors in about {args.size / rate / 60:.0f} min at that rate"
            if rate
            else "vectors: none computed in the window"
        )

        qs = queries(args.requests)
        headers = {"Authorization": f"Bearer {meili.master_key}"}
        api_requests = [(f"GET {stack.base}/v1/search", {"params": {"q": q, "limit": "10"}}) for q in qs]
        meili_requests = [
            (
                f"POST {meili.url}/indexes/records/search",
                {
                    "headers": headers,
                    "json": {
                        "q": query_text(q),
                        "limit": 10,
                        "facets": FACETS,
                        "attributesToCrop": ["summaries"],
                        "cropLength": 28,
                        "attributesToHighlight": ["summaries"],
                        "showRankingScore": True,
                        "matchingStrategy": "last",
                    },
                },
            )
            for q in qs
        ]

        async def measure() -> None:
            api_client, bare_client = client_pair(32)
            async with api_client as client, bare_client as bare:
                await sequential(client, api_requests[:20])  # warm up
                await sequential(bare, meili_requests[:20])
                a = await sequential(client, api_requests)
                m = await sequential(bare, meili_requests)
                at = await concurrent(client, api_requests)
                mt = await concurrent(bare, meili_requests)
            print(
                f"sequential p50/p95 ms: API {statistics.median(a):.1f}/{percentile(a, 0.95):.1f}, "
                f"Meilisearch {statistics.median(m):.1f}/{percentile(m, 0.95):.1f} "
                f"(p50 ratio {statistics.median(a) / statistics.median(m):.2f}x)"
            )
            print(
                f"16 clients: API {at:.0f} req/s, Meilisearch {mt:.0f} req/s ({at / mt:.0%} of Meilisearch)"
            )

        asyncio.run(measure())
        print(f"API process peak RSS (model loaded): {peak_rss_mb(api.pid):.0f} MB")


if __name__ == "__main__":
    main()
