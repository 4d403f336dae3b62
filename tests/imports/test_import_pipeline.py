"""The import writes batches while it reads the file: whatever goes wrong after some are written
(a bad line late in the file, a reference that resolves nowhere, another transaction taking a
slug) leaves nothing written."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.imports.service import CHUNK, ImportService
from app.models import Change, Record, Revision
from app.seed import SYSTEM
from tests.support.factories import BUILDERS

LINES = 2 * CHUNK + 200  # two batches written by the writer task, a last one by the foreground


def organizations(prefix: str, n: int = LINES) -> list[dict[str, Any]]:
    return [{"kind": "organization", **BUILDERS["organization"](slug=f"{prefix}-{i}")} for i in range(n)]


def write(path: Path, lines: list[dict[str, Any]], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + tail, encoding="utf-8")
    return path


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
        path = write(tmp_path / "late.ndjson", organizations("org-late"), tail)
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
    lines = organizations("org-race")
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
