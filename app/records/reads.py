"""Reads in the shape of a response: plain rows in a fixed number of Core queries, whatever the page
size: the records, then every relation of the page in one statement. No ORM objects: building
them, their identity map and loader options cost more than the database (bench/reads.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Participant, Record, Relation, visible
from app.records.spec import KindSpec

_R = Record.__table__.c
# Record columns a response shows (search_text is for SQL filters, deleted_at is always null here).
_RECORD_COLUMNS = [c for c in Record.__table__.c if c.key not in ("search_text", "deleted_at")]


def _other_end_visible(other: Any, editor: bool) -> ColumnElement[bool]:
    """What the viewer may see of the record at an edge's other end: editors anything not
    deleted, everyone else the public rule (app.models.visible)."""
    rule: ColumnElement[bool] = other.c.deleted_at.is_(None) if editor else visible(other.c)
    return rule


# Detail statements, built once per kind, key and viewer (constructing one cost more than running it).
_ONE_STATEMENTS: dict[str, dict[tuple[str, bool], Any]] = {}


class RecordReader:
    def __init__(self, session: AsyncSession, spec: KindSpec) -> None:
        self.session = session
        self.spec = spec
        table = spec.model.__table__
        self._columns = _RECORD_COLUMNS + [c for c in table.c if c.key != "id"]
        self._from = Record.__table__.join(table, table.c.id == _R.id)
        self._one = _ONE_STATEMENTS.setdefault(spec.kind, {})

    def _select(self, conds: Sequence[ColumnElement[bool]]) -> Any:
        return (
            select(*self._columns)
            .select_from(self._from)
            .where(_R.kind == self.spec.kind, _R.deleted_at.is_(None), *conds)
        )

    async def _dicts(self, stmt: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts, on the session's connection: Core alone (the session's ORM layer
        around a Core statement was a tenth of a list's time)."""
        result = await (await self.session.connection()).execute(stmt, params)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result]

    async def rows(
        self, conds: Sequence[ColumnElement[bool]], order_by: Sequence[Any], limit: int
    ) -> list[dict[str, Any]]:
        return await self._dicts(self._select(conds).order_by(*order_by).limit(limit))

    async def flags(self, ids: Sequence[uuid.UUID], expr: ColumnElement[bool]) -> dict[uuid.UUID, bool]:
        """`expr` for each of these records."""
        if not ids:
            return {}
        stmt = select(_R.id, expr.label("flag")).select_from(self._from).where(_R.id.in_(list(ids)))
        return {row["id"]: bool(row["flag"]) for row in await self._dicts(stmt)}

    async def count(self, conds: Sequence[ColumnElement[bool]]) -> int:
        stmt = (
            select(func.count())
            .select_from(self._from)
            .where(_R.kind == self.spec.kind, _R.deleted_at.is_(None), *conds)
        )
        return int((await (await self.session.connection()).execute(stmt)).scalar_one())

    async def one(self, key: str, *, editor: bool) -> dict[str, Any] | None:
        """By id or slug; drafts and archived records only for editors."""
        try:
            value: Any = uuid.UUID(key)
            by = "id"
        except ValueError:
            value, by = key, "slug"
        stmt = self._one.get((by, editor))
        if stmt is None:
            rule = [] if editor else [visible(_R)]
            stmt = self._one[(by, editor)] = self._select([_R[by] == bindparam("key"), *rule])
        found = await self._dicts(stmt, {"key": value})
        return found[0] if found else None

    async def edges(
        self, ids: Sequence[uuid.UUID], *, editor: bool
    ) -> dict[uuid.UUID, dict[str, list[dict[str, Any]]]]:
        """Every edge of these records whose other end the viewer may see, in one statement:
        `out` (by position), `in`, and participations (`member`: the organization's side, in
        records of any kind; `participant`: the record's side, which also keeps participants
        named only in text)."""
        out: dict[uuid.UUID, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        if ids:
            statement = _edges_statement(self.spec.participants is not None, editor)
            for row in await self._dicts(statement, {"ids": list(ids)}):
                out[row["owner"]][row["section"]].append(row)
        return out


@lru_cache(maxsize=32)
def _edges_statement(with_participants: bool, editor: bool) -> Any:
    """Built once per shape and viewer: constructing it (an alias, four selects) cost more per
    request than running it."""
    rel, part = Relation.__table__.c, Participant.__table__
    other = Record.__table__.alias("other")
    o = other.c
    ids: Any = bindparam("ids", expanding=True)

    def edge(section: str, owner: Any, type_: Any, position: Any, role: Any, name: Any) -> Any:
        return select(
            owner.label("owner"),
            literal(section).label("section"),
            type_.label("type"),
            position.label("position"),
            o.id,
            o.kind,
            o.slug,
            o.title,
            role.label("role"),
            name.label("name"),
        )

    null = literal(None)
    parts = [
        edge("out", rel.source_id, rel.type, rel.position, null, null)
        .select_from(Relation.__table__.join(other, o.id == rel.target_id))
        .where(rel.source_id.in_(ids), _other_end_visible(other, editor)),
        edge("in", rel.target_id, rel.type, rel.position, null, null)
        .select_from(Relation.__table__.join(other, o.id == rel.source_id))
        .where(rel.target_id.in_(ids), _other_end_visible(other, editor)),
        # Only organizations have rows here; for other kinds this finds nothing on the index.
        edge("member", part.c.organization_id, null, part.c.position, part.c.role, null)
        .select_from(part.join(other, o.id == part.c.record_id))
        .where(part.c.organization_id.in_(ids), _other_end_visible(other, editor)),
    ]
    if with_participants:
        parts.append(
            edge("participant", part.c.record_id, null, part.c.position, part.c.role, part.c.name)
            .select_from(
                part.outerjoin(other, and_(o.id == part.c.organization_id, _other_end_visible(other, editor)))
            )
            .where(part.c.record_id.in_(ids))
        )
    return union_all(*parts)
