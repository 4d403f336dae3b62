"""The import writes batches while it reads the file: whatever goes wrong after some are written
(a bad line late in the file, a reference that resolves nowhere, another transaction taking a
slug) leaves nothing written."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.imports.service import CHUNK, ImportService
from app.models import Change, Record, Revision
from app.seed import SYSTEM
from tests.support.factories import BUILDERS
from tests.support.imports import edges_of, entry, organizations, write

LINES = 2 * CHUNK + 200  # two batches written by the writer task, a last one by the foreground


async def counts(session: AsyncSession) -> tuple[int, int, int]:
    return (
        await session.scalar(select(func.count()).select_from(Record)) or 0,
        await session.scalar(select(func.count()).select_from(Change)) or 0,
        await session.scalar(select(func.count()).select_from(Revision)) or 0,
    )


@pytest.mark.parametrize(
    "tail",
    [
        "{broken json\n",  # read last
        json.dumps(  # resolved only once the whole file is read
            {
                "kind": "program",
                **BUILDERS["program"](
                    slug="prog-late", participants=[{"organization": "org-nowhere", "role": "implementer"}]
                ),
            }
        )
        + "\n",
    ],
    ids=["bad-line", "dangling-reference"],
)
async def test_a_late_problem_writes_nothing_of_the_batches_before(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, tail: str
) -> None:
    async with sessionmaker() as session:
        before = await counts(session)
        path = write(tmp_path / "late.ndjson", organizations("org-late", LINES), tail)
        progress: list[int] = []
        service = ImportService(session, SYSTEM)
        report = await service.run(path, "ndjson", dry_run=False, progress=progress.append)
        assert sum(progress) >= 2 * CHUNK  # batches were written before the problem came up
        await session.commit()  # as `migrantkb import` does: the report, and nothing to commit
        assert not report.committed
        assert [e.line for e in report.errors] == [LINES + 1]
        assert await counts(session) == before
    async with sessionmaker() as session:  # the transaction goes on: a good file imports
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "good.ndjson", organizations("org-good", 3)), "ndjson", dry_run=False
        )
        await session.commit()
        assert report.committed and report.counts.created == 3
        assert await counts(session) == (before[0] + 3, before[1] + 3, before[2] + 3)


async def test_a_slug_taken_meanwhile_fails_the_writer_with_409_and_writes_nothing(
    committed: async_sessionmaker[AsyncSession],
    committed_client: httpx.AsyncClient,
    editor_committed: dict[str, str],
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    """Another transaction creates the record of line CHUNK + 300 before the import reaches it:
    the writer task's COPY of that batch waits for it, then meets a real unique violation."""
    lines = organizations("org-race", LINES)
    async with committed() as session:
        before = await counts(session)
    async with committed() as other:
        taken = write(tmp_path / "taken.ndjson", [lines[CHUNK + 300]])
        assert (await ImportService(other, SYSTEM).run(taken, "ndjson", dry_run=False)).committed
        body = write(tmp_path / "all.ndjson", lines).read_bytes()
        headers = {**editor_committed, "Content-Type": "application/x-ndjson"}
        answer = asyncio.create_task(committed_client.post("/v1/import", content=body, headers=headers))
        async with engine.connect() as watch:
            for _ in range(600):  # until the import waits on the other transaction's row
                waiting = await watch.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                )
                # pg_stat_activity is read once per transaction (stats_fetch_consistency): without a
                # new transaction each poll, a first look taken before the import reached the row
                # was all the watcher ever saw, and the import gave up after lock_timeout (5 s).
                await watch.rollback()
                if waiting or answer.done():
                    break
                await asyncio.sleep(0.05)
        assert not answer.done(), (await answer).text
        await other.commit()
    r = await answer
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    async with committed() as session:
        assert await counts(session) == (before[0] + 1, before[1] + 1, before[2] + 1)
        slugs = (await session.scalars(select(Record.slug).where(Record.slug.like("org-race-%")))).all()
        assert slugs == [f"org-race-{CHUNK + 300}"]


async def test_edges_are_written_with_their_batch_or_at_the_end_and_replaced_on_update(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Edges to a record written before in the file or found in the base go with their batch;
    those to a record later in the file, at the end; an updated record's edges are replaced."""
    async with sessionmaker() as session:
        base = write(
            tmp_path / "base.ndjson", [entry("law", "law-in-base"), entry("organization", "org-in-base")]
        )
        assert (await ImportService(session, SYSTEM).run(base, "ndjson", dry_run=False)).committed
        orgs = organizations("org-edge", CHUNK + 10)
        first = [
            *orgs,
            entry(
                "program",
                "prog-edge",
                participants=[
                    {"organization": "org-edge-1", "role": "donor"},  # earlier in the file
                    {"organization": "org-in-base", "role": "partner"},  # in the base only
                    {"name": "Кыргыз Республикасынын өкмөтү", "role": "implementer"},  # named only
                    {"organization": "org-edge-later", "role": "partner"},  # later in the file
                ],
            ),
            entry("law", "law-edge", related=[{"type": "amends", "kind": "law", "slug": "law-in-base"}]),
            entry("organization", "org-edge-later"),
        ]
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "first.ndjson", first), "ndjson", dry_run=False
        )
        assert report.committed and report.counts.created == CHUNK + 13, report.errors
        assert await edges_of(session, "prog-edge") == [
            ("donor", "org-edge-1", None, 0),
            ("partner", "org-in-base", None, 1),
            ("implementer", None, "Кыргыз Республикасынын өкмөтү", 2),
            ("partner", "org-edge-later", None, 3),
        ]
        assert await edges_of(session, "law-edge") == [("amends", "law-in-base", None, 0)]

        second = [
            *orgs,  # unchanged
            entry("program", "prog-edge", participants=[{"organization": "org-edge-3", "role": "partner"}]),
            entry("law", "law-edge", related=[{"type": "repeals", "kind": "law", "slug": "law-edge-new"}]),
            entry("law", "law-edge-new"),
        ]
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "second.ndjson", second), "ndjson", dry_run=False
        )
        assert report.committed, report.errors
        assert (report.counts.created, report.counts.updated) == (1, 2)
        assert await edges_of(session, "prog-edge") == [("partner", "org-edge-3", None, 0)]
        assert await edges_of(session, "law-edge") == [("repeals", "law-edge-new", None, 0)]
        await session.rollback()


async def test_the_collector_runs_less_often_during_an_import_and_as_before_after(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    async with sessionmaker() as session:
        path = write(tmp_path / "gc.ndjson", organizations("org-gc", CHUNK + 1))
        report = await ImportService(session, SYSTEM).run(
            path, "ndjson", dry_run=False, progress=lambda n: seen.append(gc.get_threshold())
        )
        assert report.committed
        await session.rollback()
    assert seen and all(t[0] == 50_000 for t in seen)
    assert gc.get_threshold() == before


GIN_PENDING = text(
    "SELECT c.relname, (pgstatginindex(c.oid)).pending_tuples FROM pg_index AS i"
    " JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam"
    " WHERE i.indrelid = 'records'::regclass AND a.amname = 'gin'"
)


async def test_an_import_merges_its_gin_entries_into_the_indexes_before_it_commits(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """The import's transaction lets GIN entries gather in the indexes' pending lists (64 MB
    instead of 4) and merges them before it ends, so the trigram index the fallback search reads
    holds them in its tree, not in a list every search would scan; and it finds the records."""
    async with sessionmaker() as session:
        await session.execute(text("CREATE EXTENSION IF NOT EXISTS pgstattuple"))  # rolled back
        lines = organizations("org-gin", 40)  # each with countries and topics
        lines[7]["name"] = {"ru": "Общественный фонд Тазалык"}
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "gin.ndjson", lines), "ndjson", dry_run=False
        )
        assert report.committed, report.errors
        pending = {name: n for name, n in (await session.execute(GIN_PENDING)).all()}
        assert set(pending) == {"ix_records_search_text", "ix_records_countries", "ix_records_topics"}
        assert pending == dict.fromkeys(pending, 0)
        await session.execute(text("SET LOCAL enable_seqscan = off"))  # through the trigram index
        found = await session.scalars(
            select(Record.slug).where(Record.search_text.op("%")("obshchestvennyy fond tazalyk"))
        )
        assert list(found) == ["org-gin-7"]
        await session.rollback()


async def test_the_bulk_settings_end_with_the_import_transaction(
    committed: async_sessionmaker[AsyncSession], engine: AsyncEngine, tmp_path: Path
) -> None:
    """SET LOCAL: the next transaction on the same connection has the server's settings again."""
    async with engine.connect() as connection, AsyncSession(bind=connection) as session:
        before = [
            await session.scalar(text(f"SHOW {name}")) for name in ("gin_pending_list_limit", "work_mem")
        ]
        assert before != ["64MB", "64MB"]
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "set.ndjson", organizations("org-set", 3)), "ndjson", dry_run=False
        )
        assert report.committed
        during = [
            await session.scalar(text(f"SHOW {name}")) for name in ("gin_pending_list_limit", "work_mem")
        ]
        assert during == ["64MB", "64MB"]
        await session.commit()
        assert await counts(session) >= (3, 3, 3)
        after = [
            await session.scalar(text(f"SHOW {name}")) for name in ("gin_pending_list_limit", "work_mem")
        ]
        assert after == before
