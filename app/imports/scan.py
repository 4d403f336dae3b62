"""Reading and validating an import's lines: what pass 1 keeps of each (keys and references, so
memory does not grow with record size) and the problems it finds, by line and field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

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
# An outgoing edge a body asks for: (error path, relation type, kind, slug), as `edge_targets` gives.
Target = tuple[list[Any], str, str, str]
# A validated line: its kind, its body as JSON types, its attachments, its outgoing edges.
Item = tuple[str, dict[str, Any], list[dict[str, Any]] | None, list[Target]]
MAX_ERRORS = 1000


@dataclass
class Ref:
    line: int
    path: str
    target: Key


@dataclass
class Scan:
    lines: int = 0
    keys: dict[Key, int] = field(default_factory=dict)  # key -> line
    refs: list[Ref] = field(default_factory=list)  # to records not (yet) seen in the file
    known_topics: frozenset[str] = frozenset()  # the base's, read before the file
    ordering_edges: list[tuple[Key, Key, int]] = field(default_factory=list)
    files: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # sha256 -> places
    # What lines carry for their kind's own tables (KindSpec.carried), checked, by key.
    carried: dict[Key, Any] = field(default_factory=dict)
    errors: list[LineError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)

    def error(self, line: int, path: str, message: str) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line=line, path=path, message=message))

    def add(self, line: int, obj: dict[str, Any] | None, problem: str | None) -> Item | None:
        """One line read: validated, its keys and references kept; the line to write, or None."""
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
        if key in self.keys:
            self.error(line, "/slug", f"duplicate: {kind} {key[1]!r} is already on line {self.keys[key]}")
            return None
        self.keys[key] = line
        if carried is not None:
            self.carried[key] = carried
        for i, topic in enumerate(data.get("topics") or []):
            if topic not in self.known_topics:
                self.error(line, f"/topics/{i}", f"unknown topic {topic!r}; see /v1/topics")
        spec = KINDS[kind]
        targets = edge_targets(spec, data)
        for where, type_, target_kind, slug in targets:
            target = (target_kind, slug)
            if target == key:
                self.error(line, json_pointer(where), "a record cannot relate to itself")
            elif where[0] == "related" and not spec.may_relate(type_, target_kind):
                self.error(
                    line, json_pointer([*where[:2], "type"]), f"a {kind} cannot {type_} a {target_kind}"
                )
            else:
                if target not in self.keys:  # earlier in the file: resolved already
                    self.refs.append(Ref(line, json_pointer(where), target))
                if type_ in CATALOG.ordered_relations:
                    self.ordering_edges.append((key, target, line))
        for i, part in enumerate(participants_of(spec, data)):
            org: Key = (CATALOG.participant_kind, part.get("organization") or "")
            if org[1] and org not in self.keys:
                field_name = spec.participants.field if spec.participants else "participants"
                self.refs.append(Ref(line, f"/{field_name}/{i}/organization", org))
        return kind, data, files, targets

    def _carried(self, line: int, obj: dict[str, Any]) -> Any:
        """The line's field for its kind's own tables, taken off and checked (None: it has none)."""
        spec = KINDS.get(obj.get("kind"))  # type: ignore[arg-type]
        if spec is None or spec.carried is None or spec.carried.field not in obj:
            return None
        value, problems = spec.carried.check(obj.pop(spec.carried.field))
        for where, message in problems:
            self.error(line, f"/{spec.carried.field}{where}", message)
        return value


def rows(path: Path, fmt: Format) -> Iterator[Row]:
    stream: IO[bytes]
    with path.open("rb") as stream:
        yield from (iter_csv(stream) if fmt == "csv" else iter_ndjson(stream))


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


def cycle_lines(edges: list[tuple[Key, Key, int]]) -> list[int]:
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
