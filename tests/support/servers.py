"""Shared by the tests that need a real API process or committed data."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import get_settings
from app.core.db import make_engine, make_sessionmaker
from app.core.reference import DEFAULT_TOPICS
from app.jobs.worker import run_worker
from app.runtime.meili import free_port
from app.seed import load_seed

EMPTY_TABLES = (
    "TRUNCATE records, changes, revisions, relations, participants, api_keys, vector_backlog, "
    "embeddings, attachments, procrastinate_jobs, webhooks, webhook_deliveries, indicator_sources CASCADE"
)


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.exec_driver_sql(EMPTY_TABLES)
        # Topics added by tests (the vocabulary's own come first).
        await conn.exec_driver_sql(f"DELETE FROM topics WHERE position >= {len(DEFAULT_TOPICS)}")


def empty_database(url: str) -> None:
    """From synchronous code (module fixtures): a short-lived engine of its own."""

    async def run() -> None:
        engine = make_engine(url, pool_size=1)
        await empty_tables(engine)
        await engine.dispose()

    asyncio.run(run())


def seed_database(url: str) -> None:
    """The real seed loaded and committed, from synchronous code (module fixtures)."""

    async def run() -> None:
        engine = make_engine(url, pool_size=1)
        async with make_sessionmaker(engine)() as session:
            await load_seed(session)
            await session.commit()
        await engine.dispose()

    asyncio.run(run())


@contextmanager
def api_process(
    env: dict[str, str], ready_path: str = "/healthz", ready_text: bytes = b""
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`migrantkb serve` on a free loopback port until the block ends, and its URL; waits (≤ 90 s)
    until `ready_path` answers, and contains `ready_text` when one is given; fails if it never does."""
    port = free_port()
    # MIGRANTKB_TEST_SERVER_LOG names a file for the servers' logs, when a failure needs reading.
    log_path = os.environ.get("MIGRANTKB_TEST_SERVER_LOG")
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"the API server never became ready at {url}{ready_path}")
            try:
                with urllib.request.urlopen(f"{url}{ready_path}", timeout=2) as response:
                    if ready_text in response.read():
                        break
            except OSError:
                pass
            time.sleep(0.2)
        yield server, url
    finally:
        server.terminate()
        server.wait()
        if log_path:
            log.close()


@contextmanager
def api_server(env: dict[str, str], ready_path: str = "/healthz", ready_text: bytes = b"") -> Iterator[str]:
    with api_process(env, ready_path, ready_text) as (_, url):
        yield url


def api_key(env: dict[str, str], role: str, name: str) -> dict[str, str]:
    """A key made with the CLI against `env`'s database, as request headers."""
    made = subprocess.run(
        [sys.executable, "-m", "app.cli", "keys", "create", "--role", role, "--name", name],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}


def server_env(database_url: str) -> dict[str, str]:
    """A real server on the test database, search on PostgreSQL, no rate limits in the way."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEILI_URL": "",
        "RATE_LIMIT_KEY": "1000000/minute",
        "RATE_LIMIT_ANONYMOUS": "1000000/minute",
    }


async def run_jobs(database_url: str, **settings: object) -> None:
    """One worker, in this process, until the queue is empty (the real queue and worker)."""
    config = get_settings().model_copy(update={"database_url": database_url, **settings})
    await run_worker(config, wait=False, install_signal_handlers=False)


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`migrantkb ARGS` in a process of its own, with `env` over this one's environment."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
