"""Use cases of every kind, driven by its spec: read, list, create, replace, merge-patch, delete."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import json_merge_patch
from pydantic import BaseModel, ValidationError
from slugify import slugify
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from app.core.http import check_if_match
from app.core.pagination import cursor_time, cursor_uuid, decode_cursor, encode_cursor
from app.core.text import in_latin
from app.keys.service import Viewer
from app.models import Participant, Record, Relation, is_public, visible
from app.records.catalog import CATALOG
from app.records.params import ListParams, check_choices
from app.records.present import editable, present
from app.records.reads import RecordReader
from app.records.repository import RecordRepository, SortKey
from app.records.spec import SLUG_STABLE, KindSpec


def validation_errors(exc: ValidationError) -> Unprocessable:
    return Unprocessable(
        [field_error(list(e["loc"]), str(e["msg"]), str(e["type"])) for e in exc.errors(include_url=False)]
    )


class RecordService:
    def __init__(self, session: AsyncSession, spec: KindSpec, viewer: Viewer) -> None:
        self.session = session
        self.spec = spec
        self.viewer = viewer
        self.repo = RecordRepository(session, spec)
        self.reader = RecordReader(session, spec)

    # ---- reads -------------------------------------------------------------------------------

    async def read(self, key: str, lang: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """One record as the viewer may see it, in the response's shape (writes answer with it too);
        `params`: a detail's query parameters, which the kind may read (`KindSpec.detail`)."""
        row = await self.reader.one(key, editor=self.viewer.is_editor)
        if row is None:
            raise NotFound(f"No {self.spec.kind} with id or slug {key!r}.")
        edges = await self.reader.edges([row["id"]], editor=self.viewer.is_editor)
        out = present(row, edges[row["id"]], self.spec, lang)
        await self._complete([out], params or {})
        return out

    async def read_many(self, ids: Sequence[uuid.UUID], lang: str) -> dict[uuid.UUID, dict[str, Any]]:
        """These records as the viewer may see them, by id, in a fixed number of queries (those it
        may not see are left out)."""
        if not ids:
            return {}
        conds = [Record.__table__.c.id.in_(list(ids))]
        if not self.viewer.is_editor:
            conds.append(visible(Record.__table__.c))
        rows = await self.reader.rows(conds, [Record.__table__.c.id], len(ids))
        edges = await self.reader.edges([r["id"] for r in rows], editor=self.viewer.is_editor)
        items = [present(r, edges[r["id"]], self.spec, lang) for r in rows]
        await self._complete(items, {})
        return {uuid.UUID(str(item["id"])): item for item in items}

    async def _complete(self, items: list[dict[str, Any]], params: Mapping[str, str]) -> None:
        """What the kind adds to records as read (a law's amendments)."""
        if self.spec.detail is not None:
            await self.spec.detail(self.session, items, params)

    async def list_page(
        self, params: ListParams, lang: str, sort: str | None, filters: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], int, str | None]:
        """One page; `filters` are the kind's own, checked by its spec's filters (app/records/filters.py)."""
        publications = params.publications
        if not self.viewer.is_editor:
            if any(p != "published" for p in publications):
                raise Forbidden("Only editors may list drafts or archived records.")
            publications = ["published"]
        elif not publications:
            publications = ["draft", "published", "archived"]
        check_choices("status", params.statuses, self.spec.statuses)
        key = self._sort(sort)
        conds = self.repo.filters(
            publications=publications,
            countries=params.countries,
            topics=params.topics,
            statuses=params.statuses,
            date_from=params.date_from,
            date_to=params.date_to,
            updated_since=params.updated_since,
            q=params.q,
        )
        conds.extend(self.repo.kind_filters(filters))
        after = decode_cursor(params.cursor, key.name, 2) if params.cursor else None
        if after is not None:
            cursor_uuid(after[1])
            if key.is_time:
                cursor_time(after[0])
        page = [*conds, key.after(after)] if after is not None else conds
        rows = await self.reader.rows(page, key.order_by(), params.limit + 1)
        total = await self.reader.count(conds)
        rows, more = rows[: params.limit], len(rows) > params.limit
        next_cursor = encode_cursor(key.name, key.values_of(rows[-1])) if more else None
        edges = await self.reader.edges([r["id"] for r in rows], editor=self.viewer.is_editor)
        items = [present(r, edges[r["id"]], self.spec, lang) for r in rows]
        await self._complete(items, {})
        for f in self.spec.filters:
            if (expr := f.uncertain(filters)) is not None:
                flags = await self.reader.flags([r["id"] for r in rows], expr)
                for item, row in zip(items, rows, strict=True):
                    item["dates_uncertain"] = flags.get(row["id"], True)
        return items, total, next_cursor

    def _sort(self, sort: str | None) -> SortKey:
        name = (sort or "slug").strip()
        if name.lstrip("-") not in self.spec.sorts:
            allowed = ", ".join(self.spec.sorts)
            raise Unprocessable(
                [field_error(["sort"], f"sort by one of: {allowed} (prefix - to reverse)", "enum")]
            )
        return SortKey(self.spec, name)

    # ---- writes ------------------------------------------------------------------------------

    async def create(self, payload: BaseModel) -> Record:
        data = self.with_defaults(payload.model_dump(mode="json"))
        refs = await self._resolve_references(data, None)
        slug = data.get("slug") or await self._derive_slug(data[self.spec.title_field])
        if await self.repo.slug_taken(slug):
            raise Conflict(f"A {self.spec.kind} with slug {slug!r} exists (perhaps deleted); choose another.")
        record = self.spec.model(id=uuid.uuid4(), slug=slug, version=1)
        self._apply(record, data, refs, new=True)
        self.repo.add(record)
        await self._flush()
        self.log(record, "created", public_before=False, previous={})
        await self._flush()
        return record

    async def replace(self, key: str, payload: BaseModel, if_match: str | None) -> Record:
        record = await self._locked(key)
        check_if_match(if_match, record.version)
        data = payload.model_dump(mode="json")
        data["slug"] = data.get("slug") or record.slug
        return await self._update(record, self.with_defaults(data))

    async def patch(self, key: str, patch: Any, if_match: str | None) -> Record:
        if not isinstance(patch, dict):
            raise Unprocessable([field_error([], "a JSON merge patch must be an object", "type")])
        record = await self._locked(key)
        check_if_match(if_match, record.version)
        merged = json_merge_patch.merge(copy.deepcopy(editable(record, self.spec)), patch)
        try:
            payload = self.spec.in_schema.model_validate(merged)
        except ValidationError as exc:
            raise validation_errors(exc) from exc
        return await self._update(record, self.with_defaults(payload.model_dump(mode="json")))

    async def delete(self, key: str, if_match: str | None) -> None:
        record = await self._locked(key)
        check_if_match(if_match, record.version)
        public_before = is_public(record)
        previous = editable(record, self.spec)
        record.deleted_at = dt.datetime.now(dt.UTC)
        record.updated_at = record.deleted_at
        record.version += 1
        self.log(record, "deleted", public_before=public_before, previous=previous)
        await self._flush()

    async def restore(self, key: str, version: int | None, if_match: str | None) -> Record:
        """Bring a deleted record back, or an earlier version forward as a new version."""
        record = await self.repo.get(key, for_update=True, with_deleted=True)
        if record is None:
            raise NotFound(f"No {self.spec.kind} with id or slug {key!r}.")
        check_if_match(if_match, record.version)
        if version is None:
            if record.deleted_at is None:
                raise Conflict(
                    "The record is not deleted; give `version` to bring an earlier version forward."
                )
            record.deleted_at = None
            record.version += 1
            record.updated_at = dt.datetime.now(dt.UTC)
            self.log(record, "restored", public_before=False, previous=editable(record, self.spec))
            await self._flush()
            return record
        if record.deleted_at is not None:
            raise Conflict("The record is deleted: restore it first, then bring a version forward.")
        if not 1 <= version < record.version:
            raise Unprocessable(
                [field_error(["version"], f"choose a version from 1 to {record.version - 1}", "range")]
            )
        # Revision N+1 keeps the body version N had.
        body = next(
            (r.snapshot for r in await self.repo.revisions(record.id, 10_000) if r.version == version + 1),
            None,
        )
        if not body:
            raise NotFound(f"Version {version} of this {self.spec.kind} was not kept.")
        try:
            payload = self.spec.in_schema.model_validate({**body, "slug": record.slug})
        except ValidationError as exc:  # e.g. it pointed at a record deleted since
            raise validation_errors(exc) from exc
        return await self._update(record, self.with_defaults(payload.model_dump(mode="json")))

    async def _locked(self, key: str) -> Record:
        record = await self.repo.get(key, for_update=True)
        if record is None:
            raise NotFound(f"No {self.spec.kind} with id or slug {key!r}.")
        return record

    async def _update(self, record: Record, data: dict[str, Any]) -> Record:
        before = editable(record, self.spec)
        refs = await self._resolve_references(data, record)
        if data["slug"] != record.slug:  # slugs are stable (addresses others link to)
            raise Unprocessable([field_error(["slug"], SLUG_STABLE)], SLUG_STABLE)
        after = self.normalised(data)
        if after == self.normalised(before):
            return record  # nothing changed: no new version
        public_before = is_public(record)
        self._apply(record, data, refs, new=False)
        record.version += 1
        record.updated_at = dt.datetime.now(dt.UTC)
        await self._flush()
        self.log(record, "updated", public_before=public_before, previous=before)
        await self._flush()
        return record

    def normalised(self, data: dict[str, Any]) -> dict[str, Any]:
        """Compare bodies as the API would store them (defaults filled, JSON types)."""
        try:
            return self.with_defaults(self.spec.in_schema.model_validate(data).model_dump(mode="json"))
        except ValidationError:
            return data

    def with_defaults(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("original_language"):
            data["original_language"] = next(iter(data[self.spec.title_field]))
        return data

    def column_values(self, data: dict[str, Any]) -> dict[str, Any]:
        """A validated body (with defaults filled) as the record's own column values."""
        values = {name: data.get(name) for name in self.spec.column_fields}
        values.update(
            title=data[self.spec.title_field],
            summary=data.get(self.spec.summary_field) or {},
            editorial=data.get("editorial") or {},
            original_language=data["original_language"],
        )
        values["search_text"] = search_text(values, self.spec.code_fields)
        return values

    def apply_columns(self, record: Record, data: dict[str, Any]) -> None:
        for name, value in self.column_values(data).items():
            setattr(record, name, value)

    def _apply(self, record: Record, data: dict[str, Any], refs: dict[str, Any], *, new: bool) -> None:
        self.apply_columns(record, data)
        relations = [
            Relation(target_id=target, type=type_, position=i)
            for i, (type_, target) in enumerate(refs["edges"])
        ]
        if new:
            record.relations_out = relations
        else:
            # Keep rows whose edge is unchanged; replace the rest.
            wanted = {(r.target_id, r.type): r for r in relations}
            kept = [r for r in record.relations_out if (r.target_id, r.type) in wanted]
            for r in kept:
                r.position = wanted.pop((r.target_id, r.type)).position
            record.relations_out = kept + list(wanted.values())
        if self.spec.participants:
            record.participants = [
                Participant(
                    organization_id=org_id, name=None if org_id else p.get("name"), role=p["role"], position=i
                )
                for i, (p, org_id) in enumerate(
                    zip(participants_of(self.spec, data), refs["participants"], strict=True)
                )
            ]

    async def _resolve_references(self, data: dict[str, Any], record: Record | None) -> dict[str, Any]:
        """Topics, `related`, the kind's links and participants, by slug → id; every unknown one is
        a field error (with its path), and nothing is written."""
        errors: list[dict[str, Any]] = []
        topics = data.get("topics") or []
        missing = set(await self.repo.missing_topics(topics))
        errors.extend(
            field_error(["topics", i], f"unknown topic {t!r}; see /v1/topics", "topic")
            for i, t in enumerate(topics)
            if t in missing
        )
        wanted = edge_targets(self.spec, data)
        people = participants_of(self.spec, data)
        target_kind = CATALOG.participant_kind
        orgs = [(target_kind, p["organization"]) for p in people if p.get("organization")]
        ids = await self.repo.ids_by_slug([(kind, slug) for _, _, kind, slug in wanted] + orgs)
        ordered = self.spec.ordered_relations
        later = [ids[(k, s)] for _, t, k, s in wanted if t in ordered and (k, s) in ids]
        closing = await self.repo.leading_back(record.id, later, ordered) if record and later else set()
        edges: list[tuple[str, uuid.UUID]] = []
        for path, type_, kind, slug in wanted:
            target = ids.get((kind, slug))
            if target is None:
                errors.append(field_error(path, f"no {kind} with slug {slug!r}", "ref"))
            elif record is not None and target == record.id:
                errors.append(field_error(path, "a record cannot relate to itself", "ref"))
            elif type_ in ordered and target in closing:
                errors.append(
                    field_error(path, f"{type_} would close a cycle of amends/repeals/replaces", "ref")
                )
            elif path[0] == "related" and not self.spec.may_relate(type_, kind):
                errors.append(
                    field_error(
                        ["related", path[1], "type"], f"a {self.spec.kind} cannot {type_} a {kind}", "ref"
                    )
                )
            else:
                edges.append((type_, target))
        resolved: list[uuid.UUID | None] = []
        for i, p in enumerate(people):
            org = p.get("organization")
            if org and (target_kind, org) not in ids:
                field = self.spec.participants.field if self.spec.participants else "participants"
                errors.append(field_error([field, i, "organization"], f"no {target_kind} {org!r}", "ref"))
            resolved.append(ids.get((target_kind, org)) if org else None)
        if errors:
            raise Unprocessable(errors)
        return {"edges": edges, "participants": resolved}

    async def _derive_slug(self, title: dict[str, str]) -> str:
        text = title.get("en") or next(iter(title.values()))
        stem = slugify(f"{self.spec.kind} {text}", max_length=100, word_boundary=True) or self.spec.kind
        if len(stem) < 2:
            stem = f"{self.spec.kind}-{stem}"
        taken = await self.repo.similar_slugs(stem)
        if stem not in taken:
            return stem
        n = 2
        while f"{stem}-{n}" in taken:
            n += 1
        return f"{stem}-{n}"

    def log(self, record: Record, action: str, *, public_before: bool, previous: dict[str, Any]) -> None:
        """The change-feed/outbox row and the revision: who, when, and the version this one replaced
        (empty for a creation: the first version is the record itself until it changes)."""
        self.repo.log(
            record, action, public_before=public_before, key_id=self.viewer.key_id, previous=previous
        )

    async def _flush(self) -> None:
        try:
            await self.repo.flush()
        except IntegrityError as exc:
            raise Conflict(
                "The change conflicts with another record (a slug or edge already taken)."
            ) from exc


def participants_of(spec: KindSpec, data: dict[str, Any]) -> list[dict[str, Any]]:
    return list(data.get(spec.participants.field) or []) if spec.participants else []


def edge_targets(spec: KindSpec, data: dict[str, Any]) -> list[tuple[list[Any], str, str, str]]:
    """Every outgoing edge a body asks for, as (error path, relation type, kind, slug): `related`
    first, then the kind's links in their declared order."""
    out: list[tuple[list[Any], str, str, str]] = [
        (["related", i, "slug"], rel["type"], rel["kind"], rel["slug"])
        for i, rel in enumerate(data.get("related") or [])
    ]
    for link in spec.links:
        pairs = link.targets(data.get(link.field))
        for i, (kind, slug) in enumerate(pairs):
            path: list[Any] = [link.field] if not link.many else [link.field, i]
            if len(link.kinds) > 1:
                path.append("slug")
            out.append((path, link.relation, kind, slug))
    return out


def search_text(values: dict[str, Any], code_fields: tuple[str, ...]) -> str:
    """Titles and codes in one Latin form each (app.core.text.in_latin) for PostgreSQL's trigram
    matching (the fallback search, list filters), which folds the query the same way. Summaries stay
    out: their trigrams would make the index (and every import) several times heavier; the fallback
    reads them unindexed. One form, not the Cyrillic beside its transliteration: the trigram index
    is most of what a record costs PostgreSQL to write, and the Cyrillic half of the trigrams (233 a
    bench record, 153 without) took half of it: COPY of 20,000 bench titles into a table with the
    index alone took 14.5-15.2 s against 5.9-7.2 s (a loaded machine), and an import of 20,000
    records 8.6 s of PostgreSQL CPU against 5.5 s. Rows written before keep both forms, a superset
    of this one: they are found the same."""
    parts = [*(values.get("title") or {}).values()]
    parts += [str(values[f]) for f in code_fields if values.get(f)]
    return " \n".join(dict.fromkeys(t for t in map(in_latin, parts) if t))
