"""All SQL on records: one generic repository, parameterised by the kind's spec."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, String, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.changes.outbox import record_changed
from app.core.partial_date import on_or_after, on_or_before
from app.core.text import in_latin
from app.models import Participant, Record, Relation, Revision, Topic
from app.records.spec import KindSpec

# What an editable body names of a record at the other end of a relation (raiseload: reading
# anything else fails loudly instead of querying).
_OTHER_END = (Record.id, Record.kind, Record.slug, Record.title, Record.publication, Record.deleted_at)


def loader_options(spec: KindSpec) -> list[LoaderOption]:
    """What a record's editable body (writes, revisions, import, export) names: its outgoing
    relations and participants. Responses are read by app/records/reads.py."""
    options: list[LoaderOption] = [
        selectinload(spec.model.relations_out)
        .joinedload(Relation.target)
        .load_only(*_OTHER_END, raiseload=True)
    ]
    if spec.participants:
        options.append(
            selectinload(spec.model.participants)
            .joinedload(Participant.organization)
            .load_only(*_OTHER_END, raiseload=True)
        )
    return options


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SortKey:
    """A keyset sort: `(expr, id)` both ascending or both descending, nulls last."""

    def __init__(self, spec: KindSpec, name: str) -> None:
        self.name = name
        self.descending = name.startswith("-")
        column = spec.sort_column(name.lstrip("-"))
        self.is_time = column.type.python_type is dt.datetime
        if self.is_time or not column.expression.nullable:
            self.expr: Any = column  # a plain column: the (kind, slug) index serves the default order
        else:
            # Text sort keys (slugs, partial dates) never hold "~", so it sorts after them all.
            self.expr = func.coalesce(column, literal("" if self.descending else "~", String))

    def order_by(self) -> list[Any]:
        if self.descending:
            return [self.expr.desc(), Record.id.desc()]
        return [self.expr.asc(), Record.id.asc()]

    def after(self, values: list[str]) -> ColumnElement[bool]:
        value: Any = dt.datetime.fromisoformat(values[0]) if self.is_time else values[0]
        key = tuple_(self.expr, Record.id)
        bound = tuple_(literal(value, self.expr.type), literal(uuid.UUID(values[1])))
        return key < bound if self.descending else key > bound

    def values_of(self, row: Mapping[Any, Any]) -> list[str]:
        value, id_ = row[self.name.lstrip("-")], str(row["id"])
        if self.is_time:
            return [value.isoformat(), id_]
        return ["" if value is None and self.descending else "~" if value is None else value, id_]


def by_key(key: str) -> ColumnElement[bool]:
    """The record a URL names: by id when the key is a UUID, else by slug."""
    try:
        return Record.id == uuid.UUID(key)
    except ValueError:
        return Record.slug == key


class RecordRepository:
    def __init__(self, session: AsyncSession, spec: KindSpec) -> None:
        self.session = session
        self.spec = spec
        # A write's change row and revision, in this session's transaction (app/changes/outbox.py).
        self.log = partial(record_changed, session)

    def _select(self) -> Select[Any]:
        # The kind is implied by the join, but said outright the planner can walk the
        # (kind, slug) index in order and stop at the page's end instead of sorting the kind.
        return select(self.spec.model).where(Record.kind == self.spec.kind, Record.deleted_at.is_(None))

    async def get(self, key: str, *, for_update: bool = False, with_deleted: bool = False) -> Record | None:
        stmt = select(self.spec.model).options(*loader_options(self.spec)).where(by_key(key))
        if not with_deleted:
            stmt = stmt.where(Record.deleted_at.is_(None))
        if for_update:
            stmt = stmt.with_for_update(of=Record)
        result = await self.session.execute(stmt.execution_options(populate_existing=True))
        return result.unique().scalar_one_or_none()

    def filters(
        self,
        *,
        publications: Sequence[str],
        countries: Sequence[str],
        topics: Sequence[str],
        statuses: Sequence[str],
        date_from: str | None,
        date_to: str | None,
        updated_since: dt.datetime | None,
        q: str | None,
    ) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [Record.publication.in_(publications)]
        if countries:
            conds.append(Record.countries.overlap(list(countries)))
        if topics:
            conds.append(Record.topics.overlap(list(topics)))
        if statuses:
            conds.append(Record.status.in_(statuses))
        if (date_from or date_to) and self.spec.date_column:
            column = getattr(self.spec.model, self.spec.date_column)
            if date_from:
                conds.append(on_or_after(column, date_from))
            if date_to:
                conds.append(on_or_before(column, date_to))
        if updated_since is not None:
            conds.append(Record.updated_at >= updated_since)
        if q:
            # Every word in the one Latin form search_text holds (app.core.text.in_latin: қ→к,
            # apostrophes dropped, Cyrillic transliterated); the trigram index serves these ILIKEs.
            for word in in_latin(q).split()[:20]:
                conds.append(Record.search_text.ilike(f"%{_like_escape(word)}%", escape="\\"))
        return conds

    def kind_filters(self, values: Mapping[str, Any]) -> list[ColumnElement[bool]]:
        """The kind's own filters (its spec's), from checked values."""
        conds = [f.condition(values) for f in self.spec.filters]
        return [c for c in conds if c is not None]

    async def slug_taken(self, slug: str, exclude_id: uuid.UUID | None = None) -> bool:
        stmt = select(Record.id).where(Record.kind == self.spec.kind, Record.slug == slug)
        if exclude_id is not None:
            stmt = stmt.where(Record.id != exclude_id)
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def similar_slugs(self, stem: str) -> set[str]:
        stmt = select(Record.slug).where(
            Record.kind == self.spec.kind, Record.slug.like(f"{_like_escape(stem)}%")
        )
        return set((await self.session.execute(stmt)).scalars())

    async def ids_by_slug(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], uuid.UUID]:
        if not pairs:
            return {}
        stmt = select(Record.kind, Record.slug, Record.id).where(
            tuple_(Record.kind, Record.slug).in_(list(pairs)), Record.deleted_at.is_(None)
        )
        return {(k, s): i for k, s, i in (await self.session.execute(stmt)).all()}

    async def leading_back(
        self, record_id: uuid.UUID, targets: Sequence[uuid.UUID], types: Sequence[str]
    ) -> set[uuid.UUID]:
        """The `targets` that reach `record_id` along edges of `types` (amends, repeals, replaces)
        other than the record's own, which its write replaces: an edge to one of them would close a
        cycle, which an import of the export refuses. One recursive query for all of them."""
        start = select(
            func.unnest(literal(list(targets), ARRAY(Relation.target_id.type))).label("origin")
        ).subquery()
        reach = select(start.c.origin, start.c.origin.label("id")).cte("reach", recursive=True)
        step = (
            select(reach.c.origin, Relation.target_id)
            .join(reach, Relation.source_id == reach.c.id)
            .where(Relation.type.in_(list(types)), Relation.source_id != record_id)
        )
        reach = reach.union(step)
        found = select(reach.c.origin).where(reach.c.id == record_id).distinct()
        return set((await self.session.execute(found)).scalars())

    async def missing_topics(self, slugs: Sequence[str]) -> list[str]:
        if not slugs:
            return []
        known = set((await self.session.execute(select(Topic.slug).where(Topic.slug.in_(slugs)))).scalars())
        return [s for s in slugs if s not in known]

    async def revisions(
        self, record_id: uuid.UUID, limit: int, *, through: int | None = None
    ) -> Sequence[Revision]:
        """Newest first; `through`: from that version down."""
        stmt = select(Revision).where(Revision.record_id == record_id)
        if through is not None:
            stmt = stmt.where(Revision.version <= through)
        stmt = stmt.order_by(Revision.version.desc()).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def count_revisions(self, record_id: uuid.UUID) -> int:
        stmt = select(func.count()).select_from(Revision).where(Revision.record_id == record_id)
        return int((await self.session.execute(stmt)).scalar_one())

    def add(self, record: Record) -> None:
        self.session.add(record)

    async def flush(self) -> None:
        await self.session.flush()
