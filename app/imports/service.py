"""Bulk upsert by (kind, slug), all or nothing, in the caller's transaction.

1. `_scan` reads the file once, validating every line against its kind's create body and keeping
   only keys and references (memory does not grow with record size); the valid lines go to a spool.
   If anything is wrong the report says so and nothing is written.
2. `_write` reads the spool in chunks of CHUNK lines. A line whose record exists is compared with
   it (unchanged: skipped) and updated through the ORM like any write; new records are written
   with COPY, several times faster than INSERTs. Either way the change and revision rows come
   from the write path's own `history_rows`.
3. Relations and participants may name records later in the file, so they are written last.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, Literal, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.transfer import LINES, Files
from app.core.config import DEFAULT_LANGUAGES
from app.core.errors import json_pointer
from app.imports.parsing import Row, iter_csv, iter_ndjson
from app.imports.schemas import ImportCounts, ImportReport, LineError
from app.keys.service import Viewer
from app.models import Change, Participant, Record, Relation, Revision, Topic, is_public
from app.records.present import editable
from app.records.repository import history_rows, loader_options
from app.records.service import RecordService, edge_targets, participants_of
from app.records.spec import KindSpec
from app.registry import KINDS, SPECS

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
    files: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # sha256 -> places
    errors: list[LineError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)

    def error(self, line: int, path: str, message: str) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line=line, path=path, message=message))


def _rows(path: Path, fmt: Format, languages: Sequence[str]) -> Iterator[Row]:
    stream: IO[bytes]
    with path.open("rb") as stream:
        yield from (iter_csv(stream, languages) if fmt == "csv" else iter_ndjson(stream))


def _validate(
    line: int, obj: dict[str, Any], scan: Scan | None
) -> tuple[str, BaseModel, list[dict[str, Any]] | None] | None:
    kind = obj.pop("kind", None)
    if kind not in KINDS:
        if scan:
            scan.error(line, "/kind", f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
        return None
    spec = KINDS[kind]
    if not obj.get("slug"):
        if scan:
            scan.error(line, "/slug", "imports upsert by slug: every line needs one")
        return None
    files = obj.pop("attachments", None)
    problems: list[tuple[str, str]] = []
    if files is not None and not spec.attachments:
        problems.append(("/attachments", f"a {kind} has no attachments"))
    elif files is not None:
        try:
            files = [f.model_dump() for f in LINES.validate_python(files)]
        except ValidationError as exc:
            problems += [(json_pointer(["attachments", *e["loc"]]), str(e["msg"])) for e in exc.errors()]
    try:
        payload = spec.in_schema.model_validate(obj)
    except ValidationError as exc:
        problems += [(json_pointer(list(e["loc"])), str(e["msg"])) for e in exc.errors(include_url=False)]
    if problems:
        if scan:
            for where, message in problems:
                scan.error(line, where, message)
        return None
    return kind, payload, files


class ImportService:
    def __init__(
        self,
        session: AsyncSession,
        viewer: Viewer,
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        files: Files | None = None,
    ) -> None:
        self.session = session
        self.viewer = viewer
        self.languages = languages
        # Where attachments' bytes are found (the store, a files directory); none: lines with
        # attachments are refused.
        self.files = files or Files(None, None, 0)
        self.services = {spec.kind: RecordService(session, spec, viewer) for spec in SPECS}

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
        for sha256, places in scan.files.items():
            problem = await self.files.find(sha256)
            for line, where in places if problem else ():
                scan.error(line, where, problem or "")
        scan.errors.sort(key=lambda e: e.line)
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
        for line, obj, problem in _rows(path, fmt, self.languages):
            scan.lines += 1
            if obj is None:
                scan.error(line, "", problem or "unreadable line")
                continue
            valid = _validate(line, obj, scan)
            if valid is None:
                continue
            kind, payload, files = valid
            data = payload.model_dump(mode="json")
            spool.write(json.dumps([kind, data, files], ensure_ascii=False).encode() + b"\n")
            for i, f in enumerate(files or []):
                scan.files.setdefault(f["sha256"], []).append((line, f"/attachments/{i}/sha256"))
            key = (kind, data["slug"])
            if key in scan.keys:
                scan.error(line, "/slug", f"duplicate: {kind} {key[1]!r} is already on line {scan.keys[key]}")
                continue
            scan.keys[key] = line
            for i, topic in enumerate(data.get("topics") or []):
                scan.topics.setdefault(topic, []).append((line, f"/topics/{i}"))
            spec = KINDS[kind]
            for where, type_, target_kind, slug in edge_targets(spec, data):
                target = (target_kind, slug)
                if target == key:
                    scan.error(line, json_pointer(where), "a record cannot relate to itself")
                elif where[0] == "related" and not spec.may_relate(type_, target_kind):
                    scan.error(
                        line, json_pointer([*where[:2], "type"]), f"a {kind} cannot {type_} a {target_kind}"
                    )
                else:
                    scan.refs.append(Ref(line, json_pointer(where), target))
                    if type_ in _ORDERING:
                        scan.ordering_edges.append((key, target, line))
            for i, part in enumerate(participants_of(spec, data)):
                if part.get("organization"):
                    field_name = spec.participants.field if spec.participants else "participants"
                    scan.refs.append(
                        Ref(line, f"/{field_name}/{i}/organization", ("organization", part["organization"]))
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
        edges = Edges()
        chunk: list[tuple[str, dict[str, Any], list[dict[str, Any]] | None]] = []
        for raw in spool:
            chunk.append(json.loads(raw))
            if len(chunk) >= CHUNK:
                await self._write_chunk(chunk, ids, existing, counts, edges, write=write)
                if progress:
                    progress(len(chunk))
                chunk.clear()
        if chunk:
            await self._write_chunk(chunk, ids, existing, counts, edges, write=write)
            if progress:
                progress(len(chunk))
        if write:
            await self._write_edges(edges, ids)
            counts.attachments = await self.files.write(self.session, edges.attachments, self.viewer.key_id)
        else:
            counts.attachments = sum(map(len, edges.attachments.values()))

    async def _write_chunk(
        self,
        chunk: list[tuple[str, dict[str, Any], list[dict[str, Any]] | None]],
        ids: dict[Key, uuid.UUID],
        existing: dict[Key, uuid.UUID],
        counts: ImportCounts,
        edges: Edges,
        *,
        write: bool,
    ) -> None:
        current = await self._load(
            [existing[(k, d["slug"])] for k, d, _ in chunk if (k, d["slug"]) in existing]
        )
        created: dict[str, list[dict[str, Any]]] = {}
        history: list[tuple[dict[str, Any], dict[str, Any]]] = []
        updated: list[tuple[RecordService, Record, bool, dict[str, Any]]] = []
        for kind, body, files in chunk:
            service: RecordService = self.services[kind]
            data = service.with_defaults(body)
            record_id = ids[(kind, data["slug"])]
            if files:
                edges.attachments[record_id] = files
            record = current.get(record_id)
            if record is None:
                counts.created += 1
                if not write:
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
                counts.unchanged += 1
                continue
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
                updated.append((service, record, public_before, previous))
                edges.replaced.append(record.id)
            edges.add(service.spec, record_id, data)
        if updated:
            await self.session.flush()  # the records before their change and revision rows
            for service, record, public_before, previous in updated:
                service.log(record, "updated", public_before=public_before, previous=previous)
            await self.session.flush()
        if write:
            for kind, rows in created.items():
                await self._copy(cast(Table, Record.__table__), rows)
                await self._copy(cast(Table, KINDS[kind].model.__table__), rows)
            await self._copy(cast(Table, Change.__table__), [change for change, _ in history])
            await self._copy(cast(Table, Revision.__table__), [revision for _, revision in history])
        self.session.expunge_all()

    async def _write_edges(self, edges: Edges, ids: dict[Key, uuid.UUID]) -> None:
        """Relations and participants of every written record, replacing those of updated ones."""
        for start in range(0, len(edges.replaced), 5000):
            part = edges.replaced[start : start + 5000]
            await self.session.execute(delete(Relation).where(Relation.source_id.in_(part)))
            await self.session.execute(delete(Participant).where(Participant.record_id.in_(part)))
        missing = {key for key in edges.targets() if key not in ids}
        ids.update(await self._existing_ids(list(missing)))
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
        for spec in SPECS:
            rows = await self.session.execute(
                select(spec.model).options(*loader_options(spec)).where(spec.model.id.in_(record_ids))
            )
            out.update({r.id: r for r in rows.unique().scalars()})
        return out


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
            target = ("organization", p["organization"]) if p.get("organization") else None
            self.participants.append((record_id, target, p.get("name"), p["role"], i))

    def targets(self) -> set[Key]:
        out = {target for _, _, target, _ in self.relations}
        out.update(target for _, target, _, _, _ in self.participants if target)
        return out


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
