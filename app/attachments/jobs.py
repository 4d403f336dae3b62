"""The extraction job: one attachment's file from the store, its text page by page from a child
process (app/attachments/extract.py) under a memory cap and a time limit, the pages written with
the attachment's state in one transaction. A document that cannot be read ends `failed` with the
reason (no retry: it would fail again); the store or the database away is retried with backoff. A
worker stopped mid-extraction (Ctrl-C reaches its whole process group, the extractor too) leaves
the attachment pending and the job to be taken up again: only the document may fail a document.

Every hour, attachment bytes that no row names (a process that died between storing a file and
committing its row) are removed once they are an hour old (`sweep_files`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import resource
import signal
import sys
import tempfile
import uuid
from typing import Any

import orjson
from procrastinate import JobContext, RetryStrategy
from procrastinate.jobs import Job
from procrastinate.retry import RetryDecision
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.content import forget_unreferenced
from app.changes.outbox import documents_changed
from app.jobs.queue import defer, queue
from app.jobs.runtime import WorkerRuntime
from app.models import Attachment, AttachmentPage

log = logging.getLogger("migrantkb.extraction")
# The sweep's log keeps the name it had as queue upkeep.
jobs_log = logging.getLogger("migrantkb.jobs")

TASK = "extract_attachment"
QUEUE = "extraction"
ATTEMPTS = 6
# Stderr of the extractor kept for the reason of a crash.
STDERR_TAIL = 2000
# Signals that stop the worker, and with it the extractor (never sent by a memory limit).
STOPS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
# A stored file younger than this may belong to an upload still in flight: it is left alone.
ORPHAN_GRACE = dt.timedelta(hours=1)


class Interrupted(Exception):
    """The extractor was stopped with the worker, not by the document."""


class ExtractionRetry(RetryStrategy):
    """An interrupted job goes back to the queue whatever its attempts (its document did not fail);
    any other failure is retried with backoff up to `max_attempts`."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, Interrupted | asyncio.CancelledError):
            return RetryDecision(retry_in={"seconds": 0})
        return super().get_retry_decision(exception=exception, job=job)


async def queue_extraction(session: AsyncSession, attachment_id: uuid.UUID) -> None:
    """In the caller's transaction: the attachment's extraction job (one at a time per attachment)."""
    await defer(
        session,
        TASK,
        {"attachment_id": str(attachment_id)},
        queue_name=QUEUE,
        lock=f"attachment:{attachment_id}",
    )


@queue.task(
    name=TASK,
    queue=QUEUE,
    pass_context=True,
    retry=ExtractionRetry(max_attempts=ATTEMPTS - 1, exponential_wait=5),
)
async def extract_attachment(context: JobContext, attachment_id: str) -> str:
    runtime: WorkerRuntime = context.additional_context["runtime"]
    attempt = (context.job.attempts or 0) + 1 if context.job else 1
    try:
        return await Extraction(runtime).run(uuid.UUID(attachment_id))
    except Interrupted:
        raise
    except Exception as exc:
        if attempt >= ATTEMPTS:
            await Extraction(runtime).finish(
                uuid.UUID(attachment_id), [], error=f"could not be read after {attempt} attempts: {exc}"
            )
        raise


class Extraction:
    def __init__(self, runtime: WorkerRuntime) -> None:
        self.settings = runtime.settings
        self.sessionmaker = runtime.sessionmaker
        self.store = runtime.store

    async def run(self, attachment_id: uuid.UUID) -> str:
        async with self.sessionmaker() as session, session.begin():
            row = (
                await session.execute(
                    update(Attachment)
                    .where(Attachment.id == attachment_id)
                    .values(extraction_state="running", updated_at=dt.datetime.now(dt.UTC))
                    .returning(Attachment.sha256, Attachment.media_type, Attachment.languages)
                )
            ).first()
        if row is None:
            return "gone"  # deleted before its turn
        sha256, media_type, languages = row
        with tempfile.TemporaryDirectory(prefix="mkb-extract-") as tmp:
            path = os.path.join(tmp, "document")
            await self.store.download(sha256, path)
            try:
                pages, error = await self.extract(path, media_type, languages)
            except (Interrupted, asyncio.CancelledError):
                await self._set_state(attachment_id, "pending")  # waits for the next worker
                log.warning("attachment %s: extraction interrupted, it goes back to the queue", attachment_id)
                raise
        await self.finish(attachment_id, pages, error=error)
        return error or f"{len(pages)} pages"

    async def extract(
        self, path: str, media_type: str, languages: list[str]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The pages the child printed, and the reason it failed (None when it did not)."""
        limit = self.settings.extraction_memory_mb * 1024 * 1024

        def cap() -> None:  # in the child, before it runs
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.attachments.extract",
            path,
            media_type,
            "--languages",
            ",".join(languages),
            "--max-pages",
            str(self.settings.extraction_max_pages),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=cap,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            limit=64 * 1024 * 1024,  # one page's JSON line
        )
        pages: list[dict[str, Any]] = []
        error: str | None = None
        done = False

        async def read() -> None:
            nonlocal error, done
            assert proc.stdout is not None
            async for line in proc.stdout:
                item = orjson.loads(line)
                if "page" in item:
                    pages.append(item)
                elif "error" in item:
                    error = str(item["error"])
                elif "done" in item:
                    done = True

        stderr = b""
        try:
            reading = asyncio.ensure_future(read())
            assert proc.stderr is not None
            stderr_reading = asyncio.ensure_future(proc.stderr.read())
            await asyncio.wait_for(asyncio.shield(reading), timeout=self.settings.extraction_timeout_seconds)
            stderr = await stderr_reading
            code = await proc.wait()
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return [], f"extraction took longer than {self.settings.extraction_timeout_seconds:g} s"
        except asyncio.CancelledError:  # the worker's shutdown gave up waiting for the job
            proc.kill()
            await proc.wait()
            raise
        if -code in STOPS:
            raise Interrupted(f"the extractor was stopped by {signal.Signals(-code).name}")
        if error is not None:
            return [], error
        if code != 0 or not done:
            return [], _crash_reason(code, stderr)
        return pages, None

    async def _set_state(self, attachment_id: uuid.UUID, state: str) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(Attachment)
                .where(Attachment.id == attachment_id)
                .values(extraction_state=state, updated_at=dt.datetime.now(dt.UTC))
            )

    async def finish(
        self, attachment_id: uuid.UUID, pages: list[dict[str, Any]], *, error: str | None
    ) -> None:
        async with self.sessionmaker() as session, session.begin():
            record_id = await session.scalar(
                select(Attachment.record_id).where(Attachment.id == attachment_id).with_for_update()
            )
            if record_id is None:
                return
            await session.execute(delete(AttachmentPage).where(AttachmentPage.attachment_id == attachment_id))
            if pages:
                await session.execute(
                    insert(AttachmentPage),
                    [
                        {
                            "attachment_id": attachment_id,
                            "page": p["page"],
                            "text": p["text"],
                            "method": p["method"],
                        }
                        for p in pages
                    ],
                )
            now = dt.datetime.now(dt.UTC)
            await session.execute(
                update(Attachment)
                .where(Attachment.id == attachment_id)
                .values(
                    extraction_state="failed" if error else "done",
                    extraction_error=error,
                    pages=len(pages) if not error else None,
                    ocr_pages=sum(1 for p in pages if p["method"] == "ocr") if not error else None,
                    extracted_at=now,
                    updated_at=now,
                )
            )
            await documents_changed(session, record_id)  # the search index re-files its chunks
        if error:
            log.warning("attachment %s: extraction failed: %s", attachment_id, error)


def _crash_reason(code: int, stderr: bytes) -> str:
    tail = stderr.decode("utf-8", "replace").strip()[-STDERR_TAIL:]
    if "MemoryError" in tail or "bad_alloc" in tail:
        return "the document needs more memory than extraction may use (EXTRACTION_MEMORY_MB)"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        hint = (
            " (most likely out of memory: EXTRACTION_MEMORY_MB)"
            if name in ("SIGABRT", "SIGKILL", "SIGSEGV")
            else ""
        )
        return f"the extractor was stopped by {name}{hint}"
    last = tail.splitlines()[-1] if tail else f"exit status {code}"
    return f"the extractor stopped ({last})"


async def sweep_files(runtime: WorkerRuntime, grace: dt.timedelta = ORPHAN_GRACE) -> int:
    """Removes stored files older than `grace` that no attachment names; the number removed."""
    cutoff = dt.datetime.now(dt.UTC) - grace
    removed = 0
    async for batch in runtime.store.listing():
        old = {sha for sha, modified in batch if modified < cutoff}
        if not old:
            continue
        async with runtime.sessionmaker() as session:
            named = set(
                (await session.execute(select(Attachment.sha256).where(Attachment.sha256.in_(old)))).scalars()
            )
        for sha256 in old - named:
            async with runtime.sessionmaker() as session:  # checked again under the content lock
                if await forget_unreferenced(session, runtime.store, sha256):
                    jobs_log.warning("removed stored file %s: no attachment names it", sha256)
                    removed += 1
    return removed


@queue.periodic(cron="17 * * * *", periodic_id="sweep_files")
@queue.task(name="sweep_files", queue="maintenance", pass_context=True)
async def sweep_files_job(context: JobContext, timestamp: int) -> int:
    return await sweep_files(context.additional_context["runtime"])
