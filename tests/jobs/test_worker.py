"""The worker's own upkeep, on the real queue: a worker killed in the middle of an OCR job leaves
the job to the next worker (no stuck attachment, no page twice); bytes no attachment names (what
a crash between storing a file and committing its row leaves) are swept once they are old enough,
and nothing an attachment names is ever removed."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import func, select, text

from app.attachments.jobs import sweep_files
from app.core.config import get_settings
from app.files.store import FileStore
from app.jobs.queue import defer
from app.jobs.runtime import WorkerRuntime
from app.models import Attachment, AttachmentPage
from tests.support import documents
from tests.support.attachments import attach, extraction
from tests.support.factories import create
from tests.support.fixtures import Desk
from tests.support.servers import run_jobs, server_env

PAGES = 6


async def _state(desk: Desk, attachment_id: str) -> str:
    async with desk.committed() as s:
        return str(await s.scalar(select(Attachment.extraction_state).where(Attachment.id == attachment_id)))


async def _scan_with_a_worker(
    desk: Desk, *, stderr: int, pages: int = PAGES
) -> tuple[str, dict[str, Any], subprocess.Popen[bytes]]:
    """A law with a scanned PDF of PAGES pages, and a real worker started to read it, in a process
    group of its own (a terminal of its own: Ctrl-C reaches the worker and its extractor child, and
    the child dies with the group)."""
    law = await create(desk.client, desk.editor, "law")
    path = f"/v1/laws/{law['slug']}"
    scan = documents.scanned_pdf([[f"Страница {n}: трудовые мигранты"] for n in range(1, pages + 1)])
    made = await attach(desk.client, desk.editor, path, scan, "scan.pdf", "ru")
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=server_env(desk.database_url),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    return path, made, worker


@pytest.mark.skipif(not __import__("shutil").which("tesseract"), reason="needs tesseract-ocr")
async def test_a_killed_workers_job_is_done_by_the_next(desk: Desk) -> None:
    path, made, worker = await _scan_with_a_worker(desk, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while await _state(desk, made["id"]) != "running":
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never took the job"
            await asyncio.sleep(0.1)
        os.killpg(worker.pid, signal.SIGKILL)  # mid-OCR: no clean shutdown, no word to the queue
    finally:
        worker.wait()
    async with desk.committed() as s:
        status = (
            (
                await s.execute(
                    text("SELECT status FROM procrastinate_jobs WHERE task_name = 'extract_attachment'")
                )
            )
            .scalars()
            .all()
        )
    assert list(status) == ["doing"]  # held by a worker that is gone
    assert await _state(desk, made["id"]) == "running"

    await asyncio.sleep(2.5)  # past the (test's) heartbeat limit
    await run_jobs(desk.database_url, stalled_worker_seconds=2)
    state = await extraction(desk.client, desk.editor, path, made)
    assert state["state"] == "done" and state["pages"] == PAGES and state["ocr_pages"] == PAGES, state
    async with desk.committed() as s:
        pages = (
            await s.execute(
                select(AttachmentPage.page, func.count())
                .where(AttachmentPage.attachment_id == made["id"])
                .group_by(AttachmentPage.page)
                .order_by(AttachmentPage.page)
            )
        ).all()
        left = (
            await s.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'extract_attachment'")
            )
        ).scalar_one()
    assert [tuple(p) for p in pages] == [(n, 1) for n in range(1, PAGES + 1)]
    assert left == 0


@pytest.mark.skipif(not __import__("shutil").which("tesseract"), reason="needs tesseract-ocr")
async def test_ctrl_c_during_ocr_leaves_the_job_to_the_next_worker(desk: Desk) -> None:
    # Enough pages that the OCR is still under way when Ctrl-C comes, on a quiet machine too (a
    # page takes a quarter of a second to a second).
    pages = 40
    path, made, worker = await _scan_with_a_worker(desk, stderr=subprocess.PIPE, pages=pages)
    try:
        deadline = time.monotonic() + 60
        # Until the extractor (the worker's child) is reading the document.
        while await _state(desk, made["id"]) != "running" or not psutil.Process(worker.pid).children():
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never took the job"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a few pages in
        assert worker.poll() is None
        os.killpg(worker.pid, signal.SIGINT)  # Ctrl-C
        _, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    assert worker.returncode == 0, err.decode()
    async with desk.committed() as s:
        jobs = (
            await s.execute(
                text("SELECT status, attempts FROM procrastinate_jobs WHERE task_name = 'extract_attachment'")
            )
        ).all()
    assert [j.status for j in jobs] == ["todo"], (jobs, err.decode())  # waits for the next worker
    state = await extraction(desk.client, desk.editor, path, made)
    assert state["state"] == "pending" and state["error"] is None, state

    await run_jobs(desk.database_url)  # the next worker start
    state = await extraction(desk.client, desk.editor, path, made)
    assert state["state"] == "done" and state["pages"] == pages and state["ocr_pages"] == pages, state


async def test_unreferenced_files_are_swept(desk: Desk, tmp_path: Path) -> None:
    settings = get_settings().model_copy(update={"files_dir": str(tmp_path / "files")})
    store = FileStore.from_settings(settings)  # a store of the test's own, holding just these
    law = await create(desk.client, desk.editor, "law")
    named = b"named by a row\n"
    kept = await attach(desk.client, desk.editor, f"/v1/laws/{law['slug']}", named, "a.txt")
    await store.put(kept["sha256"], io.BytesIO(named))
    # Bytes stored with no row: what a process killed between the store and the commit leaves.
    orphan = b"stored, never committed\n"
    orphan_sha = hashlib.sha256(orphan).hexdigest()
    await store.put(orphan_sha, io.BytesIO(orphan))
    runtime = WorkerRuntime(settings, desk.committed, store)

    assert await sweep_files(runtime) == 0  # too young: it may be an upload in flight
    assert await store.exists(orphan_sha)
    assert await sweep_files(runtime, grace=dt.timedelta(0)) == 1
    assert not await store.exists(orphan_sha)
    assert await store.exists(kept["sha256"])
    assert await sweep_files(runtime, grace=dt.timedelta(0)) == 0


# The periodic jobs, as the periodic deferrer queues them every minute.
PERIODIC = [
    ("retry_stalled_jobs", "maintenance"),
    ("embed_vectors", "vectors"),
    ("wake_webhooks", "webhooks"),
    ("sweep_files", "maintenance"),
]
JOB_LINES = ("periodic_task_deferred", "start_job", "job_success")


async def test_an_idle_worker_is_quiet_and_work_still_logs(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for tick in range(3):  # three idle minutes
        async with desk.committed() as s:
            for task, queue_name in PERIODIC:
                await defer(s, task, {"timestamp": 1_700_000_000 + 60 * tick}, queue_name=queue_name)
            await s.commit()
        await run_jobs(desk.database_url)
    async with desk.committed() as s:
        left = (await s.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar_one()
    assert left == 0  # they all ran, and succeeded
    idle = [r.getMessage() for r in caplog.records if getattr(r, "action", None) in JOB_LINES]
    assert idle == []

    caplog.clear()
    law = await create(desk.client, desk.editor, "law")
    await attach(
        desk.client, desk.editor, f"/v1/laws/{law['slug']}", b"Work permits for seasonal work.", "a.txt"
    )
    await run_jobs(desk.database_url)
    done = [r.getMessage() for r in caplog.records if getattr(r, "action", None) == "job_success"]
    assert len(done) == 1 and "extract_attachment" in done[0] and "Result: 1 pages" in done[0], done
