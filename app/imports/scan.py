"""Reading and validating an import's lines: the problems each line has, by line and field, and
what it leaves for the database to check once the file is read (its key, its references, what it
carries; app/imports/state.py keeps them there). Nothing is kept in Python for the whole file but
the attachments' places, so memory does not grow with the number of records."""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import orjson
from pydantic import BaseModel, ValidationError

from app.attachments.transfer import LINES
from app.core.errors import json_pointer
from app.imports.parsing import Row, iter_csv, iter_ndjson
from app.imports.schemas import LineError
from app.records.catalog import CATALOG
from app.records.service import edge_targets, participants_of
from app.registry import KINDS

Format = Literal["ndjson", "csv"]
Key = tuple[str, str]  # (kind, slug)
# A validated line: its number, its kind, its body as JSON types, its attachments.
Item = tuple[int, str, dict[str, Any], list[dict[str, Any]] | None]
# An outgoing edge: (line, error path, relation type or role, position, target kind, target slug,
# name, participant?); a participant named only has no target and keeps its name.
Edge = tuple[int, str, str, int, str | None, str | None, str | None, bool]
MAX_ERRORS = 1000


def duplicate(kind: str, slug: str, first: int) -> str:
    return f"duplicate: {kind} {slug!r} is already on line {first}"


@dataclass
class Pending:
    """What a batch's accepted lines leave for the database: their keys, their edges, and what
    they carry for their kinds' own tables (line, kind, slug, JSON text)."""

    lines: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    carried: list[tuple[int, str, str, str]] = field(default_factory=list)


class LineSet:
    """Line numbers, a bit each: a file of bad lines does not fill a set of ints."""

    def __init__(self) -> None:
        self.bits = bytearray()

    def add(self, line: int) -> None:
        at = line >> 3
        if at >= len(self.bits):
            self.bits.extend(bytes(max(at + 1, 2 * len(self.bits)) - len(self.bits)))
        self.bits[at] |= 1 << (line & 7)

    def __contains__(self, line: int) -> bool:
        at = line >> 3
        return at < len(self.bits) and bool(self.bits[at] >> (line & 7) & 1)

    def __len__(self) -> int:
        return int.from_bytes(self.bits, "little").bit_count()


@dataclass
class Scan:
    lines: int = 0
    known_topics: frozenset[str] = frozenset()  # the base's, read before the file
    # The keys of the batch being read (key -> line): duplicates within it are found here, those
    # of the batches before by the database (ImportState.add).
    batch_keys: dict[Key, int] = field(default_factory=dict)
    pending: Pending = field(default_factory=Pending)
    files: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # sha256 -> places
    errors: list[LineError] = field(default_factory=list)
    bad_lines: LineSet = field(default_factory=LineSet)

    def error(self, line: int, path: str, message: str) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line=line, path=path, message=message))

    def take(self) -> Pending:
        """What the batch read so far leaves for the database; the next batch starts."""
        pending, self.pending = self.pending, Pending()
        self.batch_keys = {}
        return pending

    def add(self, line: int, obj: dict[str, Any] | None, problem: str | None) -> Item | None:
        """One line read: validated, what it leaves for the database kept; the line to write, or None."""
        self.lines += 1
        if obj is None:
            self.error(line, "", problem or "unreadable line")
            return None
        carried = self._carried(line, obj)
        valid = _validate(line, obj, self)
        if valid is None or line in self.bad_lines:
            return None
        kind, payload, files = valid
        data = payload.model_dump(mode="json")
        for i, f in enumerate(files or []):
            self.files.setdefault(f["sha256"], []).append((line, f"/attachments/{i}/sha256"))
        key = (kind, data["slug"])
        if key in self.batch_keys:
            self.error(line, "/slug", duplicate(kind, key[1], self.batch_keys[key]))
            return None
        self.batch_keys[key] = line
        pending = self.pending
        pending.lines.append(line)
        pending.kinds.append(kind)
        pending.slugs.append(key[1])
        if carried is not None:
            pending.carried.append((line, kind, key[1], carried))
        for i, topic in enumerate(data.get("topics") or []):
            if topic not in self.known_topics:
                self.error(line, f"/topics/{i}", f"unknown topic {topic!r}; see /v1/topics")
        spec = KINDS[kind]
        for i, (where, type_, target_kind, slug) in enumerate(edge_targets(spec, data)):
            if (target_kind, slug) == key:
                self.error(line, json_pointer(where), "a record cannot relate to itself")
            elif where[0] == "related" and not spec.may_relate(type_, target_kind):
                self.error(
                    line, json_pointer([*where[:2], "type"]), f"a {kind} cannot {type_} a {target_kind}"
                )
            else:
                pending.edges.append((line, json_pointer(where), type_, i, target_kind, slug, None, False))
        field_name = spec.participants.field if spec.participants else "participants"
        for i, part in enumerate(participants_of(spec, data)):
            if org := part.get("organization") or "":
                path = f"/{field_name}/{i}/organization"
                pending.edges.append((line, path, part["role"], i, CATALOG.participant_kind, org, None, True))
            else:
                pending.edges.append((line, "", part["role"], i, None, None, part.get("name"), True))
        return line, kind, data, files

    def _carried(self, line: int, obj: dict[str, Any]) -> str | None:
        """The line's field for its kind's own tables, taken off and checked, as JSON text for the
        database (None: it has none). The import checks it again when it writes it."""
        kind = obj.get("kind")
        spec = KINDS.get(kind) if isinstance(kind, str) else None  # a list is no key (see _validate)
        if spec is None or spec.carried is None or spec.carried.field not in obj:
            return None
        raw = obj.pop(spec.carried.field)
        _, problems = spec.carried.check(raw)
        for where, message in problems:
            self.error(line, f"/{spec.carried.field}{where}", message)
        if problems:
            return None  # the line is refused: nothing will be written
        try:
            return orjson.dumps(raw).decode()
        except TypeError:  # an integer past 64 bits, which only the standard library read
            return json.dumps(raw)


def rows(path: Path, fmt: Format) -> Iterator[Row]:
    stream: IO[bytes]
    with path.open("rb") as stream:
        yield from (iter_csv(stream) if fmt == "csv" else iter_ndjson(stream))


def _validate(
    line: int, obj: dict[str, Any], scan: Scan | None
) -> tuple[str, BaseModel, list[dict[str, Any]] | None] | None:
    kind = obj.pop("kind", None)
    if not isinstance(kind, str) or kind not in KINDS:  # a list or an object is no key
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


def cycle_lines(sources: Sequence[int], targets: Sequence[int]) -> list[int]:
    """Lines whose ordering edges lie on a cycle (iterative DFS, colours). The edges come as two
    arrays, (source, target) by the lines that define the records, grouped by source in the
    order of the file (an edge's line is its source's): a byte of colour a source, no dicts."""
    nodes: array[int] = array("q")  # the sources, ascending
    starts: array[int] = array("q")  # where each one's edges start
    for at, source in enumerate(sources):
        if not nodes or nodes[-1] != source:
            nodes.append(source)
            starts.append(at)
    starts.append(len(sources))

    def node(line: int) -> int:
        """The line's node; -1 for a record with no ordering edge of its own (a leaf: no cycle)."""
        at = bisect_left(nodes, line)
        return at if at < len(nodes) and nodes[at] == line else -1

    state = bytearray(len(nodes))
    bad: set[int] = set()
    for root in range(len(nodes)):
        if state[root]:
            continue
        stack: list[list[int]] = [[root, starts[root]]]  # node, its next edge
        path_lines: list[int] = []
        state[root] = 1
        while stack:
            top = stack[-1]
            current, edge = top
            if edge == starts[current + 1]:
                state[current] = 2
                stack.pop()
                if path_lines:
                    path_lines.pop()
                continue
            top[1] = edge + 1
            child = node(targets[edge])
            if child < 0:
                continue
            if state[child] == 1:
                bad.add(sources[edge])
                bad.update(path_lines)
            elif not state[child]:
                state[child] = 1
                path_lines.append(sources[edge])
                stack.append([child, starts[child]])
    return sorted(bad)
