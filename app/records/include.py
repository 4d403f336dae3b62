"""Fewer round trips for apps: `include=` embeds the records a response names by reference (one
level, under a top-level `included` map keyed by id, as JSON:API's compound documents), and
`?id=…&id=…` reads a batch of records by id or slug in the order asked, naming those not found
in `missing` (as Open States v3's batch reads). Both cost a fixed number of queries: one read
per kind of record named, whatever the number of records. (No `from __future__ import
annotations` here: FastAPI reads the parameters' annotations at runtime, in closures too.)"""

import uuid
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Union

from fastapi import Query, Request
from fastapi.dependencies.utils import get_flat_params
from pydantic import BaseModel, Field, GetJsonSchemaHandler, TypeAdapter, create_model
from pydantic.json_schema import JsonSchemaValue

from app.core.errors import Unprocessable, field_error
from app.core.pagination import Page
from app.records.catalog import CATALOG
from app.records.filters import check_choices, split_multi
from app.records.service import RecordService
from app.records.spec import KindSpec
from app.registry import KINDS, SPECS

# At most this many records in one batch read.
MAX_IDS = 100
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
# Parameters a batch read takes; a list's other parameters (filters, sort, cursor, limit) do not
# apply to it.
_BATCH_PARAMS = frozenset({"id", "include", "lang"})


def include_names(spec: KindSpec) -> tuple[str, ...]:
    """What a kind's responses name by reference, as `include=` values: `related` (its outgoing
    relations), its link fields (`program`, `concerns`, `events`), its participants field (the
    organizations) and `incoming` (the records relating to it; for an organization, also those
    it takes part in)."""
    names = ["related", *(link.field for link in spec.links)]
    if spec.participants:
        names.append(spec.participants.field)
    return (*names, "incoming")


def include_query(spec: KindSpec) -> Any:
    """A dependency: the kind's `include=` values, checked (an enum per kind in OpenAPI;
    repeatable and comma-separable like every list parameter)."""
    names = include_names(spec)
    example = names[-2] if len(names) > 2 else names[0]  # the participants or a link, else `related`

    async def dependency(
        include: Annotated[
            list[str],
            Query(
                description=(
                    "Embed the records these relations name, one level deep, in a top-level `included` "
                    "map keyed by record id (each in its list-item shape, as the viewer may see it). "
                    f"Repeat or comma-separate. One of: {', '.join(names)}."
                ),
                examples=[example],
                json_schema_extra={"items": {"type": "string", "enum": list(names)}},
            ),
        ] = [],  # noqa: B006 (FastAPI copies defaults)
    ) -> list[str]:
        return check_choices("include", split_multi(include), names)

    return dependency


async def ids_query(
    request: Request,
    id: Annotated[
        list[str],
        Query(
            description=(
                f"Read these records (ids or slugs, mixed; repeat or comma-separate; at most {MAX_IDS}) "
                "in the order asked: those not found, or not visible to you, are listed in `missing`. "
                "Takes only `include` and `lang` besides."
            ),
            examples=["law-kg-external-migration-2000,law-kg-labour-migration-2006"],
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
) -> list[str]:
    """The keys of a batch read, checked: well formed, not too many, and not mixed with the
    parameters of a list page (which do not apply to it)."""
    keys = split_multi(id)
    if not keys:
        return []
    for i, key in enumerate(keys):
        if len(key) > 120 or not set(key) <= _KEY_CHARS:
            raise Unprocessable([field_error(["id", i], f"{key[:120]!r} is not a record id or slug", "key")])
    if len(keys) > MAX_IDS:
        raise Unprocessable(
            [field_error(["id"], f"at most {MAX_IDS} ids or slugs at once; {len(keys)} given", "too_long")]
        )
    route = request.scope.get("route")
    declared = {p.alias for p in get_flat_params(route.dependant)} if route is not None else set()
    mixed = sorted((set(request.query_params) & declared) - _BATCH_PARAMS)
    if mixed:
        raise Unprocessable(
            [field_error([name], "does not apply to a batch read by `id`", "conflict") for name in mixed]
        )
    return keys


async def batch(
    service: RecordService, keys: Sequence[str], lang: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The records these keys name that the viewer may see, in the order asked (each once), and
    the keys that found none."""
    ids: dict[str, uuid.UUID] = {}
    slugs: list[str] = []
    for key in keys:
        try:
            ids[key] = uuid.UUID(key)
        except ValueError:
            slugs.append(key)
    if slugs:
        found = await service.repo.ids_by_slug([(service.spec.kind, s) for s in slugs])
        ids.update({s: found[(service.spec.kind, s)] for s in slugs if (service.spec.kind, s) in found})
    records = await service.read_many(list(dict.fromkeys(ids.values())), lang)
    items: list[dict[str, Any]] = []
    missing: list[str] = []
    seen: set[uuid.UUID] = set()
    for key in keys:
        record_id = ids.get(key)
        if record_id is None or record_id not in records:
            missing.append(key)
        elif record_id not in seen:
            seen.add(record_id)
            items.append(records[record_id])
    return items, missing


def _named(spec: KindSpec, item: dict[str, Any], names: Iterable[str]) -> Iterable[tuple[str, Any]]:
    """(kind, id) of the records an item names under these include names."""
    wanted = set(names)
    link_of = {link.relation: link.field for link in spec.links}
    for rel in item.get("relations") or []:
        if rel["direction"] == "incoming":
            if "incoming" in wanted:
                yield rel["kind"], rel["id"]
        elif link_of.get(rel["type"], "related") in wanted:
            yield rel["kind"], rel["id"]
    if spec.participants and spec.participants.field in wanted:
        for p in item.get(spec.participants.field) or []:
            if p["organization_id"] is not None:
                yield CATALOG.participant_kind, p["organization_id"]


async def embed(
    service: RecordService, items: Sequence[dict[str, Any]], names: Sequence[str], lang: str
) -> dict[str, dict[str, Any]]:
    """Every record these items name under `names`, as the viewer may see it (the visibility
    rule is the reads'), in its list-item shape, keyed by id: one read per kind named."""
    by_kind: dict[str, dict[uuid.UUID, None]] = {}
    for item in items:
        for kind, record_id in _named(service.spec, item, names):
            by_kind.setdefault(kind, {})[uuid.UUID(str(record_id))] = None
    included: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        if kind in by_kind:
            other = RecordService(service.session, KINDS[kind], service.viewer)
            found = await other.read_many(list(by_kind[kind]), lang)
            included.update({str(i): found[i] for i in by_kind[kind] if i in found})
    return included


async def batch_page(
    service: RecordService, keys: Sequence[str], include: Sequence[str], lang: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A batch read's items, and what its envelope adds: `missing`, and `included` if asked."""
    items, missing = await batch(service, keys, lang)
    extra: dict[str, Any] = {"missing": missing}
    if include:
        extra["included"] = await embed(service, items, include, lang)
    return items, extra


# ---- OpenAPI ------------------------------------------------------------------------------------

_INCLUDED_DESCRIPTION = (
    "With `include=`: the records the asked relations name, keyed by id, each in its list-item shape "
    "(as the viewer may see it: drafts only for editors). Absent without `include=`."
)


def _included_type() -> Any:
    records: Any = Union[tuple(spec.out_schema for spec in SPECS)]  # noqa: UP007 (a runtime union)
    return dict[str, records] | None


def list_model(spec: KindSpec) -> type[BaseModel]:
    """A list page; with `include=`, the records its items name; with `id=`, the keys not found."""
    model: type[BaseModel] = create_model(
        f"{spec.out_schema.__name__}Page",
        __base__=Page[spec.out_schema],  # type: ignore[name-defined]
        included=(_included_type(), Field(None, description=_INCLUDED_DESCRIPTION)),
        missing=(
            list[str] | None,
            Field(
                None,
                description="With `id=`: the ids or slugs asked that found no record you may see.",
                examples=[["law-kg-no-such-law"]],
            ),
        ),
    )
    return model


def detail_model(spec: KindSpec) -> type[BaseModel]:
    """The kind's response and the `included` map a detail has with `include=`; in OpenAPI the
    kind's schema `allOf` that one field, not a copy of every field."""
    out, included = spec.out_schema, TypeAdapter(_included_type())

    def json_schema(cls: Any, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        field = {**handler(included.core_schema), "description": _INCLUDED_DESCRIPTION}
        return {"allOf": [handler(out.__pydantic_core_schema__), {"properties": {"included": field}}]}

    namespace = {
        "__module__": __name__,
        "__annotations__": {"included": _included_type()},
        "included": Field(None, description=_INCLUDED_DESCRIPTION),
        "__get_pydantic_json_schema__": classmethod(json_schema),
    }
    model: type[BaseModel] = type(f"{out.__name__}Detail", (out,), namespace)
    return model
