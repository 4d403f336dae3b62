"""An import's writes: batches of validated lines upserted by (kind, slug), then the edges.

A line whose record exists is compared with it (unchanged: skipped) and updated through the ORM
like any write; new records are written with COPY, several times faster than INSERTs. Either way
the change and revision rows come from the write path's own `history_rows`. Relations and
participants may name records later in the file, so they are written last.

The writer is the only user of its session while a batch is written: the import's pipeline reads
and validates the next batch meanwhile without touching the database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import asyncpg
import orjson
from sqlalchemy import String, Table, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.transfer import Files
from app.changes.outbox import history_rows
from app.imports.scan import Item, Key
from app.imports.schemas import ImportCounts
from app.keys.service import Viewer
from app.models import Change, Participant, Record, Relation, Revision, is_public
from app.records.catalog import CATALOG
from app.records.present import editable
from app.records.repository import loader_options
from app.records.service import RecordService, edge_targets, participants_of
from app.records.spec import KindSpec
from app.registry import KINDS, SPECS


async def existing_ids(session: AsyncSession, keys: list[Key]) -> dict[Key, uuid.UUID]:
    """The ids of the records (deleted ones too) with these keys: two array parameters joined on
    the (kind, slug) index, not a list of thousands of row values to compile and plan."""
    found: dict[Key, uuid.UUID] = {}
    for start in range(0, len(keys), 5000):
        kinds, slugs = zip(*keys[start : start + 5000], strict=True)
        arrays = [bindparam(n, list(v), ARRAY(String)) for n, v in (("kinds", kinds), ("slugs", slugs))]
        wanted = func.unnest(*arrays).table_valued("kind", "slug").render_derived()
        rows = await session.execute(
            select(Record.kind, Record.slug, Record.id).join(
                wanted, (Record.kind == wanted.c.kind) & (Record.slug == wanted.c.slug)
            )
        )
        found.update({(k, s): i for k, s, i in rows.all()})
    return found


@dataclass
class Edges:
    """What the written records point at, written once every record exists."""

    relations: list[tuple[uuid.UUID, str, Key, int]] = field(default_factory=list)
    participants: list[tuple[uuid.UUID, Key | None, str | None, str, int]] = field(default_factory=list)
    replaced: list[uuid.UUID] = field(default_factory=list)  # updated records: their old edges go
    attachments: dict[uuid.UUID, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, spec: KindSpec, record_id: uuid.UUID, data: dict[str, Any]) -> None:
        for i, (_, type_, kind, slug) in enumerate(edge_targets(spec, data)):
            self.relations.append((record_id, type_, (kind, slug), i))
        for i, p in enumerate(participants_of(spec, data)):
            target = (CATALOG.participant_kind, p["organization"]) if p.get("organization") else None
            self.participants.append((record_id, target, p.get("name"), p["role"], i))

    def targets(self) -> set[Key]:
        out = {target for _, _, target, _ in self.relations}
        out.update(target for _, target, _, _, _ in self.participants if target)
        return out


class Writer:
    """Writes (or, for a dry run, only counts) the batches it is given, in its session's transaction."""

    def __init__(self, session: AsyncSession, viewer: Viewer, files: Files, *, write: bool) -> None:
        self.session = session
        self.viewer = viewer
        self.files = files
        self.write = write
        self.services = {spec.kind: RecordService(session, spec, viewer) for spec in SPECS}
        self.ids: dict[Key, uuid.UUID] = {}
        self.counts = ImportCounts()
        self.edges = Edges()

    async def batch(self, chunk: list[Item]) -> None:
        existing = await existing_ids(self.session, [(k, d["slug"]) for k, d, _ in chunk])
        current = await self._load(list(existing.values()))
        created: dict[str, list[dict[str, Any]]] = {}
        history: list[tuple[dict[str, Any], dict[str, Any]]] = []
        updated: list[tuple[RecordService, Record, bool, dict[str, Any]]] = []
        for kind, body, files in chunk:
            service: RecordService = self.services[kind]
            data = service.with_defaults(body)
            key = (kind, data["slug"])
            record_id = self.ids[key] = existing.get(key) or uuid.uuid4()
            if files:
                self.edges.attachments[record_id] = files
            record = current.get(record_id)
            if record is None:
                self.counts.created += 1
                if not self.write:
                    continue
                row = {"id": record_id, "kind": kind, "slug": data["slug"], "version": 1}
                row.update(service.column_values(data), deleted_at=None)
                created.setdefault(kind, []).append(row)
                history.append(
                    history_rows(
                        SimpleNamespace(**row),
                        "created",
                        public_before=False,
                        key_id=self.viewer.key_id,
                        previous={},
                    )
                )
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
                self.edges.replaced.append(record.id)
            self.edges.add(service.spec, record_id, data)
        if updated:
            await self.session.flush()  # the records before their change and revision rows
            for service, record, public_before, previous in updated:
                service.log(record, "updated", public_before=public_before, previous=previous)
            await self.session.flush()
        if self.write:
            for kind, rows in created.items():
                await self._copy(cast(Table, Record.__table__), rows)
                await self._copy(cast(Table, KINDS[kind].model.__table__), rows)
            await self._copy(cast(Table, Change.__table__), [change for change, _ in history])
            await self._copy(cast(Table, Revision.__table__), [revision for _, revision in history])
        self.session.expunge_all()

    async def finish(self) -> None:
        """Once every record is written: edges and attachments."""
        if self.write:
            await self._write_edges()
            self.counts.attachments = await self.files.write(
                self.session, self.edges.attachments, self.viewer.key_id
            )
        else:
            self.counts.attachments = sum(map(len, self.edges.attachments.values()))

    async def _write_edges(self) -> None:
        """Relations and participants of every written record, replacing those of updated ones."""
        edges, ids = self.edges, self.ids
        for start in range(0, len(edges.replaced), 5000):
            part = edges.replaced[start : start + 5000]
            await self.session.execute(delete(Relation).where(Relation.source_id.in_(part)))
            await self.session.execute(delete(Participant).where(Participant.record_id.in_(part)))
        missing = {key for key in edges.targets() if key not in ids}
        ids.update(await existing_ids(self.session, list(missing)))
        relations = [
            {"source_id": source, "target_id": ids[target], "type": type_, "position": i}
            for source, type_, target, i in edges.relations
        ]
        participants = [
            {
                "record_id": record_id,
                "organization_id": ids[target] if target else None,
                "name": None if target else name,
                "role": role,
                "position": i,
            }
            for record_id, target, name, role, i in edges.participants
        ]
        for start in range(0, len(relations), 5000):
            await self._copy(cast(Table, Relation.__table__), relations[start : start + 5000])
        for start in range(0, len(participants), 5000):
            await self._copy(cast(Table, Participant.__table__), participants[start : start + 5000])

    async def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Bulk rows with COPY, in the session's transaction: several times faster than INSERTs.
        Columns absent from the rows take their defaults (timestamps, sequence numbers)."""
        if not rows:
            return
        present = rows[0].keys()
        columns = [c for c in table.columns if c.name in present]
        names = [c.name for c in columns]
        json_at = [i for i, c in enumerate(columns) if isinstance(c.type, JSONB)]
        records = [_encoded(list(map(r.get, names)), json_at) for r in rows]
        connection = await self.session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        try:
            await driver.copy_records_to_table(table.name, records=records, columns=names)
        except asyncpg.IntegrityConstraintViolationError as exc:
            # A record another transaction wrote meanwhile: a conflict (409), as through the ORM.
            raise IntegrityError(f"COPY {table.name}", None, exc) from exc

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


def _encoded(values: list[Any], json_at: list[int]) -> list[Any]:
    """A row for COPY: JSONB values as JSON text (orjson: json.dumps took a tenth of an import)."""
    for i in json_at:
        if values[i] is not None:
            values[i] = orjson.dumps(values[i], option=orjson.OPT_NON_STR_KEYS).decode()
    return values
