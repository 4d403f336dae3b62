"""Bulk upsert by (kind, slug), all or nothing, in the caller's transaction.

The file is read once, in a pipeline: the foreground reads, validates and prepares batches of
CHUNK lines (`Scan.add`: what each line leaves to check later; `Writer.prepare`: the rows to COPY)
while a writer task writes the batches before (`Writer.batch`: the batch's keys, edges and carried
values into the import's temporary tables, app/imports/state.py, and COPY for new records), taken
from a queue of at most QUEUED batches; the writer is the only user of the session meanwhile.
Nothing is kept in Python for the whole file, so memory does not grow with it. A bad line stops
the writes; references (which may name records later in the file), cycles and attachments are
checked once the file is read (topics and duplicates as it is read), then relations,
participants, attachments and carried values are written. Everything (dry runs too) happens
under a savepoint: if anything is wrong, the report says so and it is rolled back, so nothing is
written.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.transfer import Files
from app.imports.scan import Format, Pending, Scan, cycle_lines, rows
from app.imports.schemas import ImportCounts, ImportReport
from app.imports.state import ImportState
from app.imports.writer import Line, Writer
from app.keys.service import Viewer
from app.models import Topic
from app.records.catalog import CATALOG
from app.registry import KINDS

__all__ = ["Format", "ImportService"]

# Lines a batch. Each batch is ten or so statements (COPY for each table, the lookup of existing
# keys) whose gaps PostgreSQL waits through; 2,000 instead of 500 made a quarter as many. In-process
# imports of 100,000 records at nice -10, six pairs alternated under loads of 3.3-5.8: faster in 5
# (median 3.5 s less, 19.0-37.4 s against 27.5-40.5 s), PostgreSQL under half busy in 4-9% of the
# samples instead of 12-27% (the first four pairs). Memory is (QUEUED + 2) batches: peak RSS
# 298 MB against 227 MB (247 MB with 1,000).
CHUNK = 2000
QUEUED = 2  # batches read ahead of the writer
_YIELD_EVERY = 8  # lines read between turns of the event loop, in which the writer sends its COPY


@dataclass
class _Collections:
    imports: int = 0  # running in this process
    saved: tuple[int, ...] = ()


_COLLECTIONS = _Collections()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """While imports run, the cyclic garbage collector starts every 50,000 allocations instead of
    700: a line's objects are young and live for a batch or two, and traversing them again and
    again took a fifth of an import's Python time (22.9 s of CPU against 17.8 s for 100,000
    records). The thresholds are the process's, so the last import to end puts them back."""
    state = _COLLECTIONS
    if state.imports == 0:
        state.saved = gc.get_threshold()
        gc.set_threshold(50_000, 20, 100)
    state.imports += 1
    try:
        yield
    finally:
        state.imports -= 1
        if state.imports == 0:
            gc.set_threshold(*state.saved)


class ImportService:
    def __init__(
        self,
        session: AsyncSession,
        viewer: Viewer,
        *,
        files: Files | None = None,
    ) -> None:
        self.session = session
        self.viewer = viewer
        # Where attachments' bytes are found (the store, a files directory); none: lines with
        # attachments are refused.
        self.files = files or Files(None, None, 0)

    async def run(
        self, path: Path, fmt: Format, *, dry_run: bool, progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        savepoint = await self.session.begin_nested()
        try:
            report = await self._run(path, fmt, dry_run=dry_run, progress=progress)
        except BaseException:
            await savepoint.rollback()
            raise
        await (savepoint.commit() if report.committed else savepoint.rollback())
        return report

    async def _run(
        self, path: Path, fmt: Format, *, dry_run: bool, progress: Callable[[int], None] | None
    ) -> ImportReport:
        with fewer_collections():
            return await self._read_and_write(path, fmt, dry_run=dry_run, progress=progress)

    async def _read_and_write(
        self, path: Path, fmt: Format, *, dry_run: bool, progress: Callable[[int], None] | None
    ) -> ImportReport:
        scan = Scan(known_topics=frozenset((await self.session.execute(select(Topic.slug))).scalars()))
        writer = Writer(self.session, self.viewer, self.files, write=not dry_run)
        await writer.start()
        await self._pipeline(path, fmt, scan, writer, progress)
        await self._check_references(scan, writer.state)
        for sha256, places in scan.files.items():
            problem = await self.files.find(sha256)
            for line, where in places if problem else ():
                scan.error(line, where, problem or "")
        if scan.errors:
            scan.errors.sort(key=lambda e: e.line)
            counts = ImportCounts(rejected=len(scan.bad_lines))
            return ImportReport(
                dry_run=dry_run, committed=False, lines=scan.lines, counts=counts, errors=scan.errors
            )
        await writer.finish()
        if not dry_run:
            await self._write_carried(writer.state)
        await writer.state.drop()
        return ImportReport(
            dry_run=dry_run, committed=not dry_run, lines=scan.lines, counts=writer.counts, errors=[]
        )

    async def _pipeline(
        self,
        path: Path,
        fmt: Format,
        scan: Scan,
        writer: Writer,
        progress: Callable[[int], None] | None,
    ) -> None:
        """Reads, validates and prepares every line; while no line is bad, hands them in batches
        to a writer task through a queue of QUEUED batches (memory stays flat), so the database
        writes one batch while the next ones are read. The writer task alone uses the session
        until it is awaited; a bad line stops the handing over."""
        queue: asyncio.Queue[tuple[list[Line], Pending] | None] = asyncio.Queue(QUEUED)

        async def write() -> None:
            while (batch := await queue.get()) is not None:
                await writer.batch(*batch, scan)
                if progress:
                    progress(len(batch[0]))

        task = asyncio.create_task(write())

        async def hand(batch: tuple[list[Line], Pending] | None) -> None:
            """Queue a batch (None: the end) as soon as there is room, unless the writer failed."""
            put = asyncio.ensure_future(queue.put(batch))
            try:
                await asyncio.wait([put, task], return_when=asyncio.FIRST_COMPLETED)
            finally:
                put.cancel()  # done already, or the writer is gone
            if task.done():  # the writer failed (or, after the end, finished): its error, now
                await task

        batch: list[Line] = []
        try:
            for n, (line, obj, problem) in enumerate(rows(path, fmt), 1):
                item = scan.add(line, obj, problem)
                if item is not None and not scan.errors:
                    batch.append(writer.prepare(item))
                if n % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                if n % CHUNK == 0:  # its keys and edges go to the database, written or not
                    await hand((batch if not scan.errors else [], scan.take()))
                    batch = []
            await hand((batch if not scan.errors else [], scan.take()))
            await hand(None)
            await task
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _write_carried(self, state: ImportState) -> None:
        """What the lines carry for their kinds' own tables, once the records are in: read back
        from the import's table a page at a time, checked again (they were when read) and
        written by their kind."""
        async for page in state.carried():
            by_kind: dict[str, dict[str, Any]] = {}
            for kind, slug, value in page:
                spec = KINDS[kind]
                assert spec.carried is not None
                by_kind.setdefault(kind, {})[slug] = spec.carried.check(orjson.loads(value))[0]
            for kind, values in by_kind.items():
                spec = KINDS[kind]
                assert spec.carried is not None
                await spec.carried.write(self.session, self.viewer, spec, values)

    async def _check_references(self, scan: Scan, state: ImportState) -> None:
        """References to no record of the file nor live one of the base, and ordering relations
        on a cycle, found in the import's tables."""
        async for line, path, kind, slug in state.dangling():
            scan.error(line, path, f"no {kind} with slug {slug!r} here or in the file")
        for line in cycle_lines(*await state.ordering(sorted(CATALOG.ordered_relations))):
            scan.error(line, "/related", "amends/repeals/replaces relations form a cycle")
