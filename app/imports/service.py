"""Bulk upsert by (kind, slug), all or nothing.

Pass 1 reads the whole file once, validating every line and keeping only keys and references, so
memory does not grow with record size. If anything is wrong the report says so and nothing is
written. Pass 2 reads it again and writes records in chunks (expunging each chunk), deferring
relations and participants, which may name records later in the file. Pass 3 writes those edges.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import json_pointer
from app.imports.parsing import Row, iter_csv, iter_ndjson
from app.imports.schemas import ImportCounts, ImportReport, LineError
from app.keys.service import Viewer
from app.models import Change, Participant, Record, Relation, Revision, Topic, is_public
from app.records.present import editable
from app.records.repository import loader_options
from app.records.service import RecordService, relation_allowed
from app.registry import KINDS

Format = Literal["ndjson", "csv"]
Key = tuple[str, str]  # (kind, slug)
CHUNK = 500
MAX_ERRORS = 1000
# Edges that order instruments in time: a cycle of them is a data error.
_ORDERING = {"amends", "repeals", "replaces"}


@dataclass
class Ref:
    line: int
    path: str
    target: Key


@dataclass
class Scan:
    lines: int = 0
    keys: dict[Key, int] = field(default_factory=dict)  # key -> line
    refs: list[Ref] = field(default_factory=list)
    topics: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    ordering_edges: list[tuple[Key, Key, int]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)

    def error(self, line: int, path: str, message: str) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line=line, path=path, message=message))


def _rows(path: Path, fmt: Format) -> Iterator[Row]:
    stream: IO[bytes]
    with path.open("rb") as stream:
        yield from (iter_csv(stream) if fmt == "csv" else iter_ndjson(stream))


def _validate(line: int, obj: dict[str, Any], scan: Scan | None) -> tuple[str, BaseModel] | None:
    kind = obj.pop("kind", None)
    if kind not in KINDS:
        if scan:
            scan.error(line, "/kind", f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
        return None
    spec = KINDS[kind][0]
    if not obj.get("slug"):
        if scan:
            scan.error(line, "/slug", "imports upsert by slug: every line needs one")
        return None
    try:
        return kind, spec.in_schema.model_validate(obj)
    except ValidationError as exc:
        if scan:
            for e in exc.errors(include_url=False):
                scan.error(line, json_pointer(list(e["loc"])), str(e["msg"]))
        return None


class ImportService:
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.services = {kind: make(session, viewer) for kind, (_, make) in KINDS.items()}
        self._pending: asyncio.Task[None] | None = None

    async def run(
        self, path: Path, fmt: Format, *, dry_run: bool, progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        # Pass 1 spools the validated lines, so pass 2 need not parse or validate them again.
        with tempfile.TemporaryFile() as spool:
            return await self._run(path, fmt, spool, dry_run=dry_run, progress=progress)

    async def _run(
        self,
        path: Path,
        fmt: Format,
        spool: IO[bytes],
        *,
        dry_run: bool,
        progress: Callable[[int], None] | None,
    ) -> ImportReport:
        scan = self._scan(path, fmt, spool)
        existing = await self._existing_ids(list(scan.keys))
        await self._check_references(scan, existing)
        counts = ImportCounts(rejected=len(scan.bad_lines))
        if scan.errors:
            return ImportReport(
                dry_run=dry_run, committed=False, lines=scan.lines, counts=counts, errors=scan.errors
            )
        ids = {key: existing.get(key) or uuid.uuid4() for key in scan.keys}
        spool.seek(0)
        await self._write(spool, ids, existing, counts, write=not dry_run, progress=progress)
        return ImportReport(
            dry_run=dry_run, committed=not dry_run, lines=scan.lines, counts=counts, errors=[]
        )

    # ---- pass 1 -------------------------------------------------------------------------------

    def _scan(self, path: Path, fmt: Format, spool: IO[bytes]) -> Scan:
        scan = Scan()
        for line, obj, problem in _rows(path, fmt):
            scan.lines += 1
            if obj is None:
                scan.error(line, "", problem or "unreadable line")
                continue
            valid = _validate(line, obj, scan)
            if valid is None:
                continue
            kind, payload = valid
            data = payload.model_dump(mode="json")
            spool.write(json.dumps([kind, data], ensure_ascii=False).encode() + b"\n")
            key = (kind, data["slug"])
            if key in scan.keys:
                scan.error(line, "/slug", f"duplicate: {kind} {key[1]!r} is already on line {scan.keys[key]}")
                continue
            scan.keys[key] = line
            for i, topic in enumerate(data.get("topics") or []):
                scan.topics.setdefault(topic, []).append((line, f"/topics/{i}"))
            for i, rel in enumerate(data.get("related") or []):
                target = (rel["kind"], rel["slug"])
                if target == key:
                    scan.error(line, f"/related/{i}/slug", "a record cannot relate to itself")
                elif not relation_allowed(rel["type"], kind, rel["kind"]):
                    scan.error(line, f"/related/{i}/type", f"a {kind} cannot {rel['type']} a {rel['kind']}")
                else:
                    scan.refs.append(Ref(line, f"/related/{i}/slug", target))
                    if rel["type"] in _ORDERING:
                        scan.ordering_edges.append((key, target, line))
            for i, part in enumerate(data.get("participants") or []):
                if part.get("organization"):
                    scan.refs.append(
                        Ref(line, f"/participants/{i}/organization", ("organization", part["organization"]))
                    )
        return scan

    async def _existing_ids(self, keys: list[Key]) -> dict[Key, uuid.UUID]:
        found: dict[Key, uuid.UUID] = {}
        for start in range(0, len(keys), 5000):
            chunk = keys[start : start + 5000]
            rows = await self.session.execute(
                select(Record.kind, Record.slug, Record.id).where(tuple_(Record.kind, Record.slug).in_(chunk))
            )
            found.update({(k, s): i for k, s, i in rows.all()})
        return found

    async def _check_references(self, scan: Scan, existing: dict[Key, uuid.UUID]) -> None:
        known_topics = set((await self.session.execute(select(Topic.slug))).scalars())
        for topic, places in scan.topics.items():
            if topic not in known_topics:
                for line, path in places:
                    scan.error(line, path, f"unknown topic {topic!r}; see /v1/topics")
        outside = list({r.target for r in scan.refs if r.target not in scan.keys})
        live = await self._live_keys(outside)
        for ref in scan.refs:
            if ref.target not in scan.keys and ref.target not in live:
                scan.error(
                    ref.line, ref.path, f"no {ref.target[0]} with slug {ref.target[1]!r} here or in the file"
                )
        for line in _cycle_lines(scan.ordering_edges):
            scan.error(line, "/related", "amends/repeals/replaces relations form a cycle")
        scan.errors.sort(key=lambda e: e.line)

    async def _live_keys(self, keys: list[Key]) -> set[Key]:
        live: set[Key] = set()
        for start in range(0, len(keys), 5000):
            rows = await self.session.execute(
                select(Record.kind, Record.slug).where(
                    tuple_(Record.kind, Record.slug).in_(keys[start : start + 5000]),
                    Record.deleted_at.is_(None),
                )
            )
            live.update((k, s) for k, s in rows.all())
        return live

    # ---- passes 2 and 3 -----------------------------------------------------------------------

    async def _write(
        self,
        spool: IO[bytes],
        ids: dict[Key, uuid.UUID],
        existing: dict[Key, uuid.UUID],
        counts: ImportCounts,
        *,
        write: bool,
        progress: Callable[[int], None] | None,
    ) -> None:
        edges: list[dict[str, Any]] = []
        participants: list[dict[str, Any]] = []
        replaced: list[uuid.UUID] = []
        chunk: list[tuple[str, dict[str, Any]]] = []

        async def flush_chunk() -> None:
            await self._write_chunk(chunk, ids, existing, counts, edges, participants, replaced, write=write)
            if progress:
                progress(len(chunk))
            chunk.clear()

        for raw in spool:
            kind, data = json.loads(raw)
            chunk.append((kind, data))
            if len(chunk) >= CHUNK:
                await flush_chunk()
        if chunk:
            await flush_chunk()
        await self._settle()
        if not write:
            return
        if replaced:
            for start in range(0, len(replaced), 5000):
                part = replaced[start : start + 5000]
                await self.session.execute(delete(Relation).where(Relation.source_id.in_(part)))
                await self.session.execute(delete(Participant).where(Participant.program_id.in_(part)))
        missing = {key for key in _edge_targets(edges, participants) if key not in ids}
        ids.update(await self._existing_ids(list(missing)))
        for start in range(0, len(edges), 5000):
            rows = [
                {
                    "source_id": e["source_id"],
                    "target_id": ids[e["target"]],
                    "type": e["type"],
                    "position": e["position"],
                }
                for e in edges[start : start + 5000]
            ]
            await self._copy(cast(Table, Relation.__table__), rows)
        for start in range(0, len(participants), 5000):
            rows = [
                {
                    "program_id": p["program_id"],
                    "organization_id": ids[p["target"]] if p["target"] else None,
                    "name": None if p["target"] else p["name"],
                    "role": p["role"],
                    "position": p["position"],
                }
                for p in participants[start : start + 5000]
            ]
            await self._copy(cast(Table, Participant.__table__), rows)

    async def _write_chunk(
        self,
        chunk: list[tuple[str, dict[str, Any]]],
        ids: dict[Key, uuid.UUID],
        existing: dict[Key, uuid.UUID],
        counts: ImportCounts,
        edges: list[dict[str, Any]],
        participants: list[dict[str, Any]],
        replaced: list[uuid.UUID],
        *,
        write: bool,
    ) -> None:
        known = [existing[(k, d["slug"])] for k, d in chunk if (k, d["slug"]) in existing]
        if known:
            await self._settle()
        current = await self._load(known)
        written: list[tuple[RecordService, Record, str, bool, dict[str, Any]]] = []
        # New records go in with bulk INSERTs (no ORM objects); updates go through the ORM.
        created: dict[str, list[dict[str, Any]]] = {}
        change_rows: list[dict[str, Any]] = []
        revision_rows: list[dict[str, Any]] = []
        for kind, body in chunk:
            service: RecordService = self.services[kind]
            data = service.with_defaults(body)
            key = (kind, data["slug"])
            record = current.get(ids[key])
            if (
                record is not None
                and record.deleted_at is None
                and service.normalised(editable(record, service.spec)) == service.normalised(data)
            ):
                counts.unchanged += 1
                continue
            record_id = ids[key]
            if record is None:
                counts.created += 1
                if not write:
                    continue
                values = service.column_values(data)
                created.setdefault(kind, []).append(
                    {"id": record_id, "kind": kind, "slug": key[1], "version": 1, **values}
                )
                public = data["publication"] == "published"
                change_rows.append(
                    {
                        "record_id": record_id,
                        "kind": kind,
                        "slug": key[1],
                        "action": "created",
                        "version": 1,
                        "public": public,
                        "public_before": False,
                    }
                )
                revision_rows.append(
                    {
                        "record_id": record_id,
                        "version": 1,
                        "action": "created",
                        "key_id": self.viewer.key_id,
                        "snapshot": {},
                    }
                )
            else:
                counts.updated += 1
                if not write:
                    continue
                public_before = is_public(record)
                previous = editable(record, service.spec)
                service.apply_columns(record, data)
                record.deleted_at = None  # importing a deleted record's slug brings it back
                record.version += 1
                record.updated_at = dt.datetime.now(dt.UTC)
                replaced.append(record.id)
                written.append((service, record, "updated", public_before, previous))
            for i, rel in enumerate(data.get("related") or []):
                edges.append(
                    {
                        "source_id": record_id,
                        "target": (rel["kind"], rel["slug"]),
                        "type": rel["type"],
                        "position": i,
                    }
                )
            for i, part in enumerate(data.get("participants") or []):
                target = ("organization", part["organization"]) if part.get("organization") else None
                participants.append(
                    {
                        "program_id": record_id,
                        "target": target,
                        "name": part.get("name"),
                        "role": part["role"],
                        "position": i,
                    }
                )
        # The INSERTs of this chunk run while the next chunk is prepared: PostgreSQL works on one
        # core while Python works on the other. Nothing else touches the session until _settle().
        await self._settle()
        if created:
            self._pending = asyncio.create_task(self._insert_rows(created, change_rows, revision_rows))
            await asyncio.sleep(0)  # let it send the statements
        if written:
            await self._settle()
            await self.session.flush()  # records first: change and revision rows refer to them
            for service, record, action, public_before, previous in written:
                service.log(record, action, public_before=public_before, previous=previous)
            await self.session.flush()
        if not self._pending:
            self.session.expunge_all()

    async def _settle(self) -> None:
        if self._pending is not None:
            task, self._pending = self._pending, None
            await task
            self.session.expunge_all()

    async def _insert_rows(
        self,
        created: dict[str, list[dict[str, Any]]],
        change_rows: list[dict[str, Any]],
        revision_rows: list[dict[str, Any]],
    ) -> None:
        for kind, rows in created.items():
            await self._copy(cast(Table, Record.__table__), rows)
            await self._copy(cast(Table, KINDS[kind][0].model.__table__), rows)
        await self._copy(cast(Table, Change.__table__), change_rows)
        await self._copy(cast(Table, Revision.__table__), revision_rows)

    async def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Bulk rows with COPY, in the session's transaction: several times faster than INSERTs.
        Columns absent from the rows take their defaults (timestamps, sequence numbers)."""
        if not rows:
            return
        present = rows[0].keys()
        columns = [c for c in table.columns if c.name in present]
        json_columns = {c.name for c in columns if isinstance(c.type, JSONB)}
        names = [c.name for c in columns]
        records = [
            tuple(
                json.dumps(r.get(n)) if n in json_columns and r.get(n) is not None else r.get(n)
                for n in names
            )
            for r in rows
        ]
        connection = await self.session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table.name, records=records, columns=names)

    async def _load(self, record_ids: list[uuid.UUID]) -> dict[uuid.UUID, Record]:
        if not record_ids:
            return {}
        out: dict[uuid.UUID, Record] = {}
        for spec, _ in KINDS.values():
            rows = await self.session.execute(
                select(spec.model).options(*loader_options(spec)).where(spec.model.id.in_(record_ids))
            )
            out.update({r.id: r for r in rows.unique().scalars()})
        return out


def _edge_targets(edges: list[dict[str, Any]], participants: list[dict[str, Any]]) -> set[Key]:
    targets = {e["target"] for e in edges}
    targets.update(p["target"] for p in participants if p["target"])
    return targets


def _cycle_lines(edges: list[tuple[Key, Key, int]]) -> list[int]:
    """Lines whose ordering edges lie on a cycle (iterative DFS, colours)."""
    graph: dict[Key, list[tuple[Key, int]]] = {}
    for source, target, line in edges:
        graph.setdefault(source, []).append((target, line))
    state: dict[Key, int] = {}
    bad: set[int] = set()
    for root in graph:
        if state.get(root):
            continue
        stack: list[tuple[Key, Iterator[tuple[Key, int]]]] = [(root, iter(graph.get(root, [])))]
        path_lines: list[int] = []
        state[root] = 1
        while stack:
            node, children = stack[-1]
            step = next(children, None)
            if step is None:
                state[node] = 2
                stack.pop()
                if path_lines:
                    path_lines.pop()
                continue
            child, line = step
            if state.get(child) == 1:
                bad.add(line)
                bad.update(path_lines)
            elif not state.get(child):
                state[child] = 1
                path_lines.append(line)
                stack.append((child, iter(graph.get(child, []))))
    return sorted(bad)
