"""Search at scale: sync throughput and latency of /v1/search against Meilisearch itself.

    .venv/bin/python bench/search.py [--size 100000] [--requests 400] [--vector-seconds 120]

Starts its own Meilisearch and API server on a fresh database, imports `size` synthetic records
with `migrantkb import` while sampling the outbox lag, waits until every record is searchable.
Vectors: the passage engine's own rate (`Model.passages`, the worker's batch size, models and threads)
on the first passages of the backlog, read from the database as the worker reads them; then the
worker starts and the pipeline's rate is watched for `--vector-seconds` (backlog rows settled:
vector stored and in Meilisearch, per second, between settled batches: `pipeline_rate`), printed
beside the model's, with their ratio. Then it times the same queries
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
import signal
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


# What a bare Meilisearch search is asked beside /v1/search: a page of 10, the same facets, the
# summaries cropped and highlighted as the API's snippets are.
BARE_BODY = {
    "limit": 10,
    "facets": FACETS,
    "attributesToCrop": ["summaries"],
    "cropLength": 28,
    "attributesToHighlight": ["summaries"],
    "showRankingScore": True,
}


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
    worker: subprocess.Popen[bytes] | None
    meili: MeiliProcess
    tmp: Path

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]


@contextlib.contextmanager
def bench_stack(
    database: str, setup: list[list[str]], extra: dict[str, str] | None = None, *, worker: bool = True
) -> Iterator[Stack]:
    """A fresh database, a Meilisearch, an API server and a worker (vectors are its jobs; with
    `worker=False`, `start_worker` starts it later) of the bench's own (after the `setup` CLI
    steps); all of it removed afterwards."""
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
    api = None
    stack = None
    try:
        for step in setup:
            subprocess.run([CLI, *step], env=env, check=True, stdout=subprocess.DEVNULL)
        quiet = subprocess.DEVNULL
        api = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=quiet, stderr=quiet)
        stack = Stack(env, f"http://127.0.0.1:{port}", api, None, meili, tmp)
        if worker:
            start_worker(stack)
        yield stack
    finally:
        for process in (api, stack.worker if stack else None):
            if process is not None:
                process.terminate()
                process.wait()
        meili.stop()
        asyncio.run(drop_database(url))


def start_worker(stack: Stack) -> None:
    quiet = subprocess.DEVNULL
    stack.worker = subprocess.Popen([CLI, "worker"], env=stack.env, stdout=quiet, stderr=quiet)


def backlog_passages(url: str, n: int) -> list[str]:
    """The passages of the first `n` backlog rows, in the order the worker claims them, read and
    cut as it reads them (rows_query, documents.passage)."""
    from sqlalchemy import select

    from app.core.db import make_engine, make_sessionmaker
    from app.models import Record, VectorBacklog
    from app.search.documents import passage
    from app.search.rows import rows_query

    async def read() -> list[str]:
        engine = make_engine(url, pool_size=1, max_overflow=0)
        try:
            async with make_sessionmaker(engine)() as session:
                b = VectorBacklog.__table__.c
                first = select(b.record_id).order_by(b.queued_at).limit(n)
                rows = (await session.execute(rows_query().where(Record.__table__.c.id.in_(first)))).all()
                return [passage(r) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def model_rate(texts: list[str]) -> float:
    """The passage engine's own passages per second, as the worker runs it: its engine
    (EMBEDDING_PASSAGES), as many models side by side as its pipelines (app/search/jobs.py
    `pipelines`), each in its own thread on its share of the texts, in the worker's batches and
    EMBEDDING_THREADS; after a warm-up call."""
    from concurrent.futures import ThreadPoolExecutor

    from app.search.jobs import pipelines
    from app.search.vectors import VECTOR_BATCH, Model

    settings = get_settings()
    threads = settings.embedding_threads
    models = [Model(threads, settings.embedding_passages) for _ in range(pipelines(threads))]
    for model in models:
        model.passages(texts[:2])
    shares = [texts[i :: len(models)] for i in range(len(models))]

    def embed(model: Model, share: list[str]) -> None:
        for i in range(0, len(share), VECTOR_BATCH):
            model.passages(share[i : i + VECTOR_BATCH])

    start = time.perf_counter()
    with ThreadPoolExecutor(len(models)) as pool:
        list(pool.map(embed, models, shares))
    return len(texts) / (time.perf_counter() - start)


def pipeline_rate(url: str, seconds: float, pipelines: int) -> tuple[float, int, float]:
    """Backlog rows settled per second within `seconds`, from the `pipelines`-th settled batch to
    the last one seen (the worker's start and model load left out, and the first batch of every
    pipeline with them: they finish at about the same moment, and counting from the first of
    them would count rows of the others as done in no time); the rows settled, the span."""
    first = backlog(url)
    seen: list[tuple[float, int]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = backlog(url)
        if left < first and (not seen or left < seen[-1][1]):
            seen.append((time.monotonic(), left))
        if not left:
            break
        time.sleep(0.25)
    settled = first - (seen[-1][1] if seen else first)
    start = min(pipelines, len(seen)) - 1
    if start < 0 or len(seen) - start < 2:
        return 0.0, settled, 0.0
    span = seen[-1][0] - seen[start][0]
    return (seen[start][1] - seen[-1][1]) / span, settled, span


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
    """A client for the API and one for bare Meilisearch, both on kept-alive connections.
    Meilisearch is asked for uncompressed answers, as the API asks it (a compressed answer on a
    kept-alive connection arrives about 40 ms late: app/search/client.py)."""
    limits = httpx.Limits(max_connections=connections)
    return (
        httpx.AsyncClient(timeout=30, limits=limits),
        httpx.AsyncClient(timeout=30, limits=limits, headers={"Accept-Encoding": "identity"}),
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
    parser.add_argument("--model-passages", type=int, default=96, help="passages timed on the model alone")
    args = parser.parse_args()
    with bench_stack("migrantkb_bench_search", [["migrate"]], worker=False) as stack:
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

        # Vectors: the model alone on the backlog's first passages, then the worker's pipeline,
        # then the model alone again with the worker paused (SIGSTOP): the machine is shared, so
        # the pipeline is compared with the mean of the two.
        texts = backlog_passages(url, args.model_passages)
        own = [model_rate(texts)]
        start_worker(stack)
        assert stack.worker is not None
        from app.search.jobs import pipelines

        rate, settled, span = pipeline_rate(
            url, args.vector_seconds, pipelines(get_settings().embedding_threads)
        )
        stack.worker.send_signal(signal.SIGSTOP)
        try:
            own.append(model_rate(texts))
        finally:
            stack.worker.send_signal(signal.SIGCONT)
        mean = statistics.mean(own)
        print(
            f"vectors: model alone {mean:.2f} passages/s (before {own[0]:.2f}, after {own[1]:.2f}; "
            f"{len(texts)} passages of the backlog, median {statistics.median(map(len, texts)):.0f} "
            f"chars, the worker's models and batches); pipeline {rate:.2f}/s ({settled} settled, "
            f"{span:.0f} s measured) = {rate / mean:.0%} of the model; "
            f"all {args.size} in about {args.size / max(rate, 1e-9) / 60:.0f} min at that rate"
        )

        qs = queries(args.requests)
        headers = {"Authorization": f"Bearer {meili.master_key}"}
        api_requests = [(f"GET {stack.base}/v1/search", {"params": {"q": q, "limit": "10"}}) for q in qs]
        meili_requests = [
            (
                f"POST {meili.url}/indexes/records/search",
                {
                    "headers": headers,
                    "json": {"q": query_text(q), **BARE_BODY, "matchingStrategy": "last"},
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
