"""Stop and start again (issue #23): a base whose attachments were extracted reindexes and restarts
(`migrantkb reindex`, `migrantkb dev`); the real worker, Meilisearch and CLI processes."""

from __future__ import annotations

import asyncio
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from meilisearch_python_sdk import AsyncClient
from sqlalchemy import select, text

from app.models import VectorBacklog
from app.runtime.meili import free_port, start_local
from tests.support.attachments import attach, extraction
from tests.support.factories import create
from tests.support.fixtures import Desk
from tests.support.servers import run_cli, run_jobs, server_env

TEXT = "Seasonal agricultural workers keep their residence permit when the employer changes.\n"


async def _jobs(desk: Desk, task: str, status: str) -> int:
    async with desk.committed() as s:
        found = await s.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = :s"),
            {"t": task, "s": status},
        )
        return int(found.scalar_one())


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, f"{process.args} stopped with {process.returncode}"
        assert time.monotonic() < deadline, f"{process.args} never answered at {url}"
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)


async def test_a_base_with_extracted_attachments_reindexes_and_restarts(desk: Desk, tmp_path: Path) -> None:
    law = await create(desk.client, desk.editor, "law")
    path = f"/v1/laws/{law['slug']}"
    made = await attach(desk.client, desk.editor, path, TEXT.encode(), "permit.txt")
    await run_jobs(desk.database_url)  # the real worker extracts it
    assert (await extraction(desk.client, desk.editor, path, made))["state"] == "done"

    meili = start_local(tmp_path / "meili")
    uid = f"records_{secrets.token_hex(4)}"
    env = {
        "DATABASE_URL": desk.database_url,
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
        "MEILI_INDEX": uid,
    }
    try:
        built = run_cli("reindex", env=env)
        assert built.returncode == 0, built.stderr
        async with AsyncClient(meili.url, meili.master_key) as client:
            found = await client.index(uid).get_documents(filter="part = document", limit=100)
        assert {d["attachment"] for d in found.results} == {made["id"]}, found.results
        async with desk.committed() as s:
            backlog = set((await s.execute(select(VectorBacklog.record_id))).scalars())
        assert str(law["id"]) in {str(b) for b in backlog}  # the record waits for its vector, not the chunk

        # The restart: `migrantkb dev` on the same base and index (migrate, seed, reindex, serve).
        port = free_port()
        dev = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "dev"],
            env={**os.environ, **env, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", dev)
            deadline = time.monotonic() + 120
            while await _jobs(desk, "embed_vectors", "doing") == 0:  # the seed's vectors, under way
                assert time.monotonic() < deadline and dev.poll() is None, "no vectors job ran"
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)
        finally:
            os.killpg(dev.pid, signal.SIGINT)  # Ctrl-C in its terminal
            _, err = dev.communicate(timeout=90)
        assert b"error:" not in err, err.decode()
        # The worker was let stop by itself: no job is left held by a worker that is gone.
        assert await _jobs(desk, "embed_vectors", "doing") == 0, err.decode()[-6000:]
        assert await _jobs(desk, "embed_vectors", "todo") == 1
        again = run_cli("reindex", env=env)
        assert again.returncode == 0, again.stderr
    finally:
        meili.stop()


def test_serve_starts_at_once_on_the_port_of_a_killed_server(database_url: str) -> None:
    """`kill -9` an API with a client connection open: its port holds connections in TIME_WAIT
    for up to a minute, and a new `migrantkb serve` on it starts at once all the same."""
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    env = server_env(database_url)
    url = f"http://127.0.0.1:{port}"
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait_healthy(url, first)
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        client.request("GET", "/healthz")
        assert client.getresponse().read()
        first.kill()
        first.wait()
        client.close()
        with socket.socket() as plain, pytest.raises(OSError):  # the state the port is in
            plain.bind(("127.0.0.1", port))
        second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_healthy(url, second, seconds=30)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait()
