"""An import's state across its lines, kept in PostgreSQL: temporary tables in the import's
transaction rather than Python dicts of every key, so the importing process's memory does not
grow with the file (it grew about 0.7 kB a record: 228 MB of peak RSS at 20,000 records, 368 MB at
200,000). The writer task alone sends these statements, on the session's connection, with its
batches; the reader stays off the database.

- `_import_keys` (line, kind, slug): each accepted line's key. A batch's keys go in with one
  statement that answers which were already on an earlier line (duplicates; the reader finds
  those within its own batch).
- `_import_edges`: the outgoing edges (relations, participants) that cannot be written with
  their batch: its line, error path, relation type or role, position, target's key (none: a
  participant named only) and name, and the source record's id where it is written. An edge whose
  source is written and whose target is a live record already (before in the file, or in the
  base) is written with its batch, by the same statement, so PostgreSQL writes most edges while
  Python reads; the others (forward references, ordering relations, which the cycle search
  reads, and every edge of a dry run or of a file found wrong) wait here for the end.
- `_import_carried`: what the lines carry for their kinds' own tables (`KindSpec.carried`), as JSON.

Once the file is read: references that resolve neither to the file nor to a live record are
found by one anti-join, the ordering edges come back as arrays for the cycle search, and the
waiting edges are written by an INSERT ... SELECT each, joined on `records`. The tables are dropped at
the end of the import, and vanish with its savepoint if it is rolled back.
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import driver
from app.imports.scan import Pending
from app.records.catalog import CATALOG

# ON COMMIT DROP as well: a transaction that ends without the import's own DROP leaves nothing.
_CREATE = (
    "CREATE TEMPORARY TABLE _import_keys (line integer NOT NULL, kind text NOT NULL, slug text NOT NULL)"
    " ON COMMIT DROP",
    "CREATE UNIQUE INDEX ON _import_keys (kind, slug)",
    "CREATE TEMPORARY TABLE _import_edges (source_id uuid, line integer NOT NULL, path text NOT NULL,"
    " type text NOT NULL, position integer NOT NULL, kind text, slug text, name text,"
    " participant boolean NOT NULL) ON COMMIT DROP",
    "CREATE TEMPORARY TABLE _import_carried (line integer NOT NULL, kind text NOT NULL,"
    " slug text NOT NULL, value jsonb NOT NULL) ON COMMIT DROP",
)
_DROP = "DROP TABLE IF EXISTS _import_keys, _import_edges, _import_carried"
# A batch's edges: those ready (source written, target a live record, not an ordering relation)
# into relations and participants, the others into _import_edges.
_ADD_EDGES = (
    "WITH t AS (SELECT w.*, r.id AS target_id FROM unnest($1::uuid[], $2::integer[], $3::text[],"
    " $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::boolean[])"
    " AS w(source_id, line, path, type, position, kind, slug, name, participant)"
    " LEFT JOIN records AS r ON r.kind = w.kind AND r.slug = w.slug AND r.deleted_at IS NULL),"
    " e AS (SELECT t.*, (source_id IS NOT NULL AND (kind IS NULL OR target_id IS NOT NULL)"
    " AND (participant OR type <> ALL($10::text[]))) AS ready FROM t),"
    " relations_ AS (INSERT INTO relations (source_id, target_id, type, position)"
    " SELECT source_id, target_id, type, position FROM e WHERE ready AND NOT participant),"
    " participants_ AS (INSERT INTO participants (record_id, organization_id, name, role, position)"
    " SELECT source_id, target_id, name, type, position FROM e WHERE ready AND participant)"
    " INSERT INTO _import_edges SELECT source_id, line, path, type, position, kind, slug, name,"
    " participant FROM e WHERE NOT ready"
)

# The batch's keys in, and those already on an earlier line out: the query reads the table as it
# was before the statement, so it sees the earlier batches' keys only.
_ADD_KEYS = (
    "WITH w AS (SELECT * FROM unnest($1::integer[], $2::text[], $3::text[]) AS w(line, kind, slug)),"
    " added AS (INSERT INTO _import_keys SELECT * FROM w ON CONFLICT (kind, slug) DO NOTHING)"
    " SELECT w.line, w.kind, w.slug, k.line FROM w JOIN _import_keys AS k"
    " ON k.kind = w.kind AND k.slug = w.slug"
)
_DANGLING = (
    "SELECT e.line, e.path, e.kind, e.slug FROM _import_edges AS e WHERE e.kind IS NOT NULL"
    " AND NOT EXISTS (SELECT FROM _import_keys AS k WHERE k.kind = e.kind AND k.slug = e.slug)"
    " AND NOT EXISTS (SELECT FROM records AS r"
    " WHERE r.kind = e.kind AND r.slug = e.slug AND r.deleted_at IS NULL)"
    " ORDER BY e.line, e.participant, e.position"
)
# An ordering edge's source is its own line's record: the graph's nodes are the lines that define
# records, and edges to records outside the file (which point nowhere further) are left out.
_ORDERING = (
    "SELECT e.line, t.line FROM _import_edges AS e"
    " JOIN _import_keys AS t ON t.kind = e.kind AND t.slug = e.slug"
    " WHERE NOT e.participant AND e.type = ANY($1::text[]) ORDER BY e.line, e.position"
)
_RELATIONS = (
    "INSERT INTO relations (source_id, target_id, type, position)"
    " SELECT e.source_id, r.id, e.type, e.position FROM _import_edges AS e"
    " JOIN records AS r ON r.kind = e.kind AND r.slug = e.slug"
    " WHERE e.source_id IS NOT NULL AND NOT e.participant ORDER BY e.line, e.position"
)
_PARTICIPANTS = (
    "INSERT INTO participants (record_id, organization_id, name, role, position)"
    " SELECT e.source_id, r.id, e.name, e.type, e.position FROM _import_edges AS e"
    " LEFT JOIN records AS r ON r.kind = e.kind AND r.slug = e.slug"
    " WHERE e.source_id IS NOT NULL AND e.participant ORDER BY e.line, e.position"
)
# A page of carried values after the (kind, line) given: pages, not a cursor, because their kind's
# writer uses the connection between them.
_CARRIED = (
    "SELECT kind, line, slug, value::text FROM _import_carried WHERE (kind, line) > ($1, $2)"
    " ORDER BY kind, line LIMIT $3"
)
FETCH = 2000  # rows a cursor brings at a time
CARRIED_AT_ONCE = 500  # carried values read (and written by their kind's writer) at a time


class ImportState:
    """The import's temporary tables, on its session's connection (see the module's docstring)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self) -> None:
        conn = await driver(self.session)
        await conn.execute(_DROP)  # an import before in this transaction that did not finish
        for statement in _CREATE:
            await conn.execute(statement)

    async def drop(self) -> None:
        await (await driver(self.session)).execute(_DROP)

    async def add_keys(self, pending: Pending) -> list[tuple[int, str, str, int]]:
        """A batch's keys; those that were on an earlier line, as (line, kind, slug, that line),
        are left out."""
        conn = await driver(self.session)
        found = await conn.fetch(_ADD_KEYS, pending.lines, pending.kinds, pending.slugs)
        return [(line, kind, slug, first) for line, kind, slug, first in found]

    async def add_edges(self, pending: Pending, sources: dict[int, Any], skip: set[int]) -> None:
        """A batch's edges (written if they are ready, else kept), with the ids of the records
        written (by line: their sources), and its carried values, but those of the lines in
        `skip`. After the batch's records: its edges may point at them."""
        conn = await driver(self.session)
        edges = [(sources.get(e[0]), *e) for e in pending.edges if e[0] not in skip]
        if edges:
            columns = [list(column) for column in zip(*edges, strict=True)]
            await _write(conn, _ADD_EDGES, *columns, sorted(CATALOG.ordered_relations))
        carried = [c for c in pending.carried if c[0] not in skip]
        if carried:
            await conn.copy_records_to_table(
                "_import_carried", records=carried, columns=("line", "kind", "slug", "value")
            )

    async def dangling(self) -> AsyncIterator[tuple[int, str, str, str]]:
        """References to a record neither in the file nor live in the base: (line, path, kind, slug)."""
        conn = await driver(self.session)
        async for line, path, kind, slug in conn.cursor(_DANGLING, prefetch=FETCH):
            yield line, path, kind, slug

    async def ordering(self, types: Sequence[str]) -> tuple[array[int], array[int]]:
        """The ordering edges between the file's records, as (source's line, target's line) in two
        arrays, in the order of the lines: an edge's line is its source's."""
        sources, targets = array("q"), array("q")
        conn = await driver(self.session)
        async for source, target in conn.cursor(_ORDERING, list(types), prefetch=FETCH):
            sources.append(source)
            targets.append(target)
        return sources, targets

    async def write_edges(self) -> None:
        """The written records' edges that waited, once every record is in: targets by key,
        joined on `records`."""
        conn = await driver(self.session)
        await _write(conn, _RELATIONS)
        await _write(conn, _PARTICIPANTS)

    async def carried(self) -> AsyncIterator[list[tuple[str, str, str]]]:
        """The carried values as (kind, slug, JSON text), by kind in the order of the lines, in
        pages of CARRIED_AT_ONCE."""
        after: tuple[str, int] = ("", 0)
        while page := await (await driver(self.session)).fetch(_CARRIED, *after, CARRIED_AT_ONCE):
            yield [(kind, slug, value) for kind, _, slug, value in page]
            after = (page[-1]["kind"], page[-1]["line"])


async def _write(conn: asyncpg.Connection, statement: str, *args: Any) -> None:
    """A statement that writes edges: a record another transaction removed meanwhile is a
    conflict (409), as through the ORM."""
    try:
        await conn.execute(statement, *args)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(statement[:40], None, exc) from exc
