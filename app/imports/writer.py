"""An import's writes: batches of validated lines upserted by (kind, slug), then the edges.

A line whose record exists is compared with it (unchanged: skipped) and updated through the ORM
like any write; new records are written with COPY, several times faster than INSERTs. Either way
the change and revision rows come from the write path's own `history_rows`. With each batch go its
keys (duplicates of earlier lines come back), its edges and what its lines carry, into the
import's temporary tables (app/imports/state.py); relations and participants may name records
later in the file, so they are written last, from there.

The writer is the only user of its session while a batch is written: the import's pipeline reads
and validates the next batches meanwhile without touching the database. What a line costs in
Python (defaults, column values and the folded `search_text`, its change rows, the COPY tuples)
is paid by the reader in `prepare`, so the writer task is left with round trips: PostgreSQL
works on one batch while Python reads the next, on the two cores of a small machine.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, NamedTuple, cast

import asyncpg
import orjson
from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.transfer import Files
from app.changes.outbox import history_rows
from app.core.db import driver
from app.imports.scan import Item, Key, Pending, Scan, duplicate
from app.imports.schemas import ImportCounts
from app.imports.state import ImportState
from app.keys.service import Viewer
from app.models import Change, Participant, Record, Relation, Revision, is_public
from app.records.present import editable
from app.records.repository import loader_options
from app.records.service import RecordService
from app.registry import KINDS, SPECS

# The ids of the records (deleted ones too) with these keys: two array parameters joined on the
# (kind, slug) index, not a list of thousands of row values to compile and plan. Sent as is to
# the driver (one prepared statement): SQLAlchemy compiled it anew for every batch.
_EXISTING = (
    "SELECT r.kind, r.slug, r.id FROM records AS r"
    " JOIN unnest($1::varchar[], $2::varchar[]) AS w(kind, slug) ON r.kind = w.kind AND r.slug = w.slug"
)


# GIN indexes (records' trigram index on search_text above all, and countries, topics) take new
# entries into a pending list that is merged into the index in bulk once it passes
# gin_pending_list_limit, with work_mem to sort them in: 4 MB each by default, so an import merged
# every few hundred records. For the import's transaction only (SET LOCAL), 64 MB of both, and the
# list merged before the commit (gin_clean_pending_list, with maintenance_work_mem), so the index
# is left as compact as before for the searches and the writes that follow. COPY of 100,000
# imported records rows into `records` (PostgreSQL alone, its backend's CPU, four pairs run back
# to back under a load of 3-7): 9.07-10.81 s with the defaults, 8.92-9.90 s so (merge included),
# less in each pair; 256 MB did no better. The backend may use 64 MB more while it merges.
BULK_SETTINGS = ("SET LOCAL gin_pending_list_limit = '64MB'", "SET LOCAL work_mem = '64MB'")
MERGE_PENDING = (
    "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index AS i"
    " JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam"
    " WHERE i.indrelid = 'records'::regclass AND a.amname = 'gin'"
    " AND pg_has_role(c.relowner, 'USAGE')"  # the function is the index owner's (like VACUUM)
)


async def existing_ids(session: AsyncSession, keys: list[Key]) -> dict[Key, uuid.UUID]:
    found: dict[Key, uuid.UUID] = {}
    if not keys:
        return found
    conn = await driver(session)
    for start in range(0, len(keys), 5000):
        kinds, slugs = zip(*keys[start : start + 5000], strict=True)
        for kind, slug, record_id in await conn.fetch(_EXISTING, list(kinds), list(slugs)):
            found[(kind, slug)] = record_id
    return found


@dataclass(frozen=True)
class Layout:
    """A table's COPY: the columns the rows give (in the table's order), those holding JSON."""

    table: str
    names: tuple[str, ...]
    json_at: tuple[int, ...]

    @classmethod
    def of(cls, table: Any, present: Any) -> Layout:
        columns = [c for c in cast(Table, table).columns if c.name in present]
        json_at = tuple(i for i, c in enumerate(columns) if isinstance(c.type, JSONB))
        return cls(cast(Table, table).name, tuple(c.name for c in columns), json_at)

    def encode(self, row: dict[str, Any]) -> list[Any]:
        """A row for COPY: JSONB values as JSON text (orjson: json.dumps took a tenth of an import)."""
        values = [row.get(name) for name in self.names]
        for i in self.json_at:
            if values[i] is not None:
                values[i] = orjson.dumps(values[i], option=orjson.OPT_NON_STR_KEYS).decode()
        return values


class Line(NamedTuple):
    """A valid line, ready to write: its number, its body with defaults; for a write, should the
    record be new, its id and its rows for COPY (records, its kind's table, changes, revisions)."""

    number: int
    kind: str
    data: dict[str, Any]
    files: list[dict[str, Any]] | None
    new_id: uuid.UUID | None
    rows: tuple[list[Any], list[Any], list[Any], list[Any]] | None


class Writer:
    """Writes (or, for a dry run, only counts) the batches it is given, in its session's transaction."""

    def __init__(self, session: AsyncSession, viewer: Viewer, files: Files, *, write: bool) -> None:
        self.session = session
        self.viewer = viewer
        self.files = files
        self.write = write
        self.services = {spec.kind: RecordService(session, spec, viewer) for spec in SPECS}
        self.state = ImportState(session)
        self.counts = ImportCounts()
        self._layouts: dict[str, tuple[Layout, Layout, Layout, Layout]] = {}
        self.attachments: dict[uuid.UUID, list[dict[str, Any]]] = {}  # by record id

    async def start(self) -> None:
        """The import's temporary tables; its transaction set for bulk writes (BULK_SETTINGS)."""
        await self.state.create()
        if self.write:
            for statement in BULK_SETTINGS:
                await self.session.execute(text(statement))

    def prepare(self, item: Item) -> Line:
        """The CPU work of writing a line, done by the pipeline's reader while the writer task
        waits on the database (see the module's docstring)."""
        number, kind, body, files = item
        service = self.services[kind]
        data = service.with_defaults(body)
        if not self.write:
            return Line(number, kind, data, files, None, None)
        row = {"id": uuid.uuid4(), "kind": kind, "slug": data["slug"], "version": 1}
        row.update(service.column_values(data), deleted_at=None)
        change, revision = history_rows(
            SimpleNamespace(**row), "created", public_before=False, key_id=self.viewer.key_id, previous={}
        )
        layouts = self._layouts.get(kind)
        if layouts is None:
            layouts = self._layouts[kind] = (
                Layout.of(Record.__table__, row),
                Layout.of(KINDS[kind].model.__table__, row),
                Layout.of(Change.__table__, change),
                Layout.of(Revision.__table__, revision),
            )
        records, own, changes, revisions = layouts
        rows = (records.encode(row), own.encode(row), changes.encode(change), revisions.encode(revision))
        return Line(number, kind, data, files, row["id"], rows)

    async def batch(self, chunk: list[Line], pending: Pending, scan: Scan) -> None:
        """A batch read: its keys, then (while the scan has found no error) its lines written,
        then its edges and carried values, into the import's tables. A key on an earlier line is
        an error of the scan's, and that line is left out."""
        duplicates = await self.state.add_keys(pending)
        for line_number, kind, slug, first in duplicates:
            scan.error(line_number, "/slug", duplicate(kind, slug, first))
        skip = {line_number for line_number, _, _, _ in duplicates}
        sources: dict[int, uuid.UUID] = {}  # the records written, by line
        if not scan.errors:
            await self._write(chunk, sources)
        await self.state.add_edges(pending, sources, skip)

    async def _write(self, chunk: list[Line], sources: dict[int, uuid.UUID]) -> None:
        existing = await existing_ids(self.session, [(line.kind, line.data["slug"]) for line in chunk])
        current = await self._load(list(existing.values()))
        created: dict[str, list[Line]] = {}
        updated: list[tuple[RecordService, Record, bool, dict[str, Any]]] = []
        for line in chunk:
            number, kind, data, files, new_id, _ = line
            service: RecordService = self.services[kind]
            key = (kind, data["slug"])
            record_id = existing.get(key) or new_id or uuid.uuid4()
            if files:
                self.attachments[record_id] = files
            record = current.get(record_id)
            if record is None:
                self.counts.created += 1
                if not self.write:
                    continue
                created.setdefault(kind, []).append(line)
            elif record.deleted_at is None and service.normalised(
                editable(record, service.spec)
            ) == service.normalised(data):
                self.counts.unchanged += 1
                continue
            else:
                self.counts.updated += 1
                if not self.write:
                    continue
                public_before = is_public(record)
                previous = editable(record, service.spec)
                service.apply_columns(record, data)
                record.deleted_at = None  # importing a deleted record's slug brings it back
                record.version += 1
                record.updated_at = dt.datetime.now(dt.UTC)
                updated.append((service, record, public_before, previous))
            sources[number] = record_id
        if updated:
            await self.session.flush()  # the records before their change and revision rows
            for service, record, public_before, previous in updated:
                service.log(record, "updated", public_before=public_before, previous=previous)
            await self.session.flush()
        for kind, group in created.items():  # its records, then its kind's rows
            for at in (0, 1):
                await self._copy_encoded(self._layouts[kind][at], [_rows(line)[at] for line in group])
        if created:  # then their change and revision rows (the same columns for every kind)
            lines = [line for group in created.values() for line in group]
            for at in (2, 3):
                await self._copy_encoded(
                    self._layouts[lines[0].kind][at], [_rows(line)[at] for line in lines]
                )
        if updated:  # their edges are replaced
            replaced = [record.id for _, record, _, _ in updated]
            await self.session.execute(delete(Relation).where(Relation.source_id.in_(replaced)))
            await self.session.execute(delete(Participant).where(Participant.record_id.in_(replaced)))
        self.session.expunge_all()

    async def finish(self) -> None:
        """Once every record is written: edges (their targets are all written or found now) and
        attachments."""
        if self.write:
            await self.state.write_edges()
            key_id = self.viewer.key_id
            self.counts.attachments = await self.files.write(self.session, self.attachments, key_id)
            await self.session.execute(text(MERGE_PENDING))
        else:
            self.counts.attachments = sum(map(len, self.attachments.values()))

    async def _copy_encoded(self, layout: Layout, records: list[list[Any]]) -> None:
        """COPY (binary) on the session's connection, in its transaction: several times faster
        than INSERTs."""
        if not records:
            return
        conn = await driver(self.session)
        try:
            await conn.copy_records_to_table(layout.table, records=records, columns=layout.names)
        except asyncpg.IntegrityConstraintViolationError as exc:
            # A record another transaction wrote meanwhile: a conflict (409), as through the ORM.
            raise IntegrityError(f"COPY {layout.table}", None, exc) from exc

    async def _load(self, record_ids: list[uuid.UUID]) -> dict[uuid.UUID, Record]:
        if not record_ids:
            return {}
        out: dict[uuid.UUID, Record] = {}
        for spec in SPECS:
            rows = await self.session.execute(
                select(spec.model).options(*loader_options(spec)).where(spec.model.id.in_(record_ids))
            )
            out.update({r.id: r for r in rows.unique().scalars()})
        return out


def _rows(line: Line) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    assert line.rows is not None  # a written line
    return line.rows
