"""What an import knows of the whole file (its keys, references, ordering relations) is kept in
temporary tables of its transaction, batch by batch (app/imports/state.py): duplicates, references
and cycles that span batches are found as when they sit side by side, dry runs included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.imports import state
from app.imports.scan import LineSet, cycle_lines
from app.imports.service import CHUNK, ImportService
from app.models import Record
from app.seed import SYSTEM, load_seed
from tests.support.imports import edges_of, entry, export_lines, organizations, write

# Line 1 of the files below; the organizations fill two batches, so what line 1 names is two batches on.
FAR = 2 * CHUNK + 2


async def leftovers(session: AsyncSession) -> list[str]:
    """The import's temporary tables still there."""
    found = await session.execute(
        text("SELECT relname FROM pg_class WHERE relname LIKE '\\_import\\_%' AND relpersistence = 't'")
    )
    return list(found.scalars())


@pytest.mark.parametrize("dry_run", [False, True])
async def test_references_and_relations_across_batches(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, dry_run: bool
) -> None:
    lines: list[dict[str, Any]] = [
        entry(
            "program",
            "prog-far",
            participants=[
                {"organization": "org-state-far", "role": "donor"},  # two batches on
                {"name": "Named only", "role": "partner"},
                {"organization": "org-state-3", "role": "implementer"},  # the next batch
            ],
        ),
        entry("law", "law-far", related=[{"type": "amends", "kind": "law", "slug": "law-far-target"}]),
        *organizations("org-state", 2 * CHUNK),
        entry("organization", "org-state-far"),
        entry("law", "law-far-target", related=[{"type": "related", "kind": "law", "slug": "law-far"}]),
    ]
    assert len(lines) == FAR + 2
    async with sessionmaker() as session:
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "far.ndjson", lines), "ndjson", dry_run=dry_run
        )
        assert report.errors == [] and report.counts.created == len(lines)
        assert report.committed is not dry_run
        assert await leftovers(session) == []
        if not dry_run:
            assert await edges_of(session, "prog-far") == [
                ("donor", "org-state-far", None, 0),
                ("partner", None, "Named only", 1),
                ("implementer", "org-state-3", None, 2),
            ]
            assert await edges_of(session, "law-far") == [("amends", "law-far-target", None, 0)]
            assert await edges_of(session, "law-far-target") == [("related", "law-far", None, 0)]
        else:
            assert await session.scalar(select(func.count()).where(Record.slug == "prog-far")) == 0
        # Again in the same transaction: the tables come anew, and every line is unchanged.
        again = await ImportService(session, SYSTEM).run(
            write(tmp_path / "far.ndjson", lines), "ndjson", dry_run=dry_run
        )
        assert again.errors == []
        assert (again.counts.unchanged, again.counts.created) == (
            (len(lines), 0) if not dry_run else (0, len(lines))
        )
        await session.rollback()


@pytest.mark.parametrize("dry_run", [False, True])
async def test_duplicates_dangling_references_and_cycles_across_batches(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, dry_run: bool
) -> None:
    lines: list[dict[str, Any]] = [
        entry("law", "law-cycle-a", related=[{"type": "amends", "kind": "law", "slug": "law-cycle-b"}]),
        entry("program", "prog-dangling", participants=[{"organization": "org-nowhere", "role": "donor"}]),
        *organizations("org-dup", 2 * CHUNK),
        entry("law", "law-cycle-b", related=[{"type": "repeals", "kind": "law", "slug": "law-cycle-a"}]),
        entry("organization", "org-dup-7"),  # a duplicate of line 10, two batches before
        entry("law", "law-cycle-a"),  # a duplicate of line 1: its (none) edges do not count
    ]
    async with sessionmaker() as session:
        before = await session.scalar(select(func.count()).select_from(Record))
        report = await ImportService(session, SYSTEM).run(
            write(tmp_path / "bad.ndjson", lines), "ndjson", dry_run=dry_run
        )
        assert not report.committed
        assert [(e.line, e.path, e.message) for e in report.errors] == [
            (1, "/related", "amends/repeals/replaces relations form a cycle"),
            (
                2,
                "/participants/0/organization",
                "no organization with slug 'org-nowhere' here or in the file",
            ),
            (FAR + 1, "/related", "amends/repeals/replaces relations form a cycle"),
            (FAR + 2, "/slug", "duplicate: organization 'org-dup-7' is already on line 10"),
            (FAR + 3, "/slug", "duplicate: law 'law-cycle-a' is already on line 1"),
        ]
        assert report.counts.rejected == 5
        assert await session.scalar(select(func.count()).select_from(Record)) == before
        assert await leftovers(session) == []
        await session.rollback()


def test_cycle_lines_on_arrays_as_on_the_keys_before() -> None:
    """Edges by the lines of their records: 1 -> 2 -> 3 -> 2 is a cycle of lines 2 and 3, reported
    with the path the search took into it (line 1), as before; 4 -> 5 points at a record with no
    ordering edge of its own; 6 <-> 7."""
    sources = [1, 2, 3, 4, 6, 7]
    targets = [2, 3, 2, 5, 7, 6]
    assert cycle_lines(sources, targets) == [1, 2, 3, 6, 7]
    assert cycle_lines([], []) == []


def test_line_sets_hold_a_bit_a_line() -> None:
    lines = LineSet()
    for n in (1, 8, 9, 1, 100_000):
        lines.add(n)
    assert len(lines) == 4 and 9 in lines and 100_000 in lines and 2 not in lines and 10**9 not in lines
    assert len(lines.bits) < 100_000 // 4


async def test_carried_values_are_read_back_and_written_a_page_at_a_time(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    editor: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The seed's indicators exported, a value of each changed, imported back in pages of two:
    every indicator's change is written."""
    async with sessionmaker() as session:
        await load_seed(session)
        await session.commit()
    lines = await export_lines(client)
    assert len(lines) > 2 * 2
    for line in lines.values():
        line["figures"]["observations"][0]["value"] = 1234.5
    monkeypatch.setattr(state, "CARRIED_AT_ONCE", 2)
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines.values())
    r = await client.post(
        "/v1/import", content=body.encode(), headers={**editor, "Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 200, r.text
    again = await export_lines(client)
    for slug, line in lines.items():
        first = line["figures"]["observations"][0]
        assert first in again[slug]["figures"]["observations"], slug
