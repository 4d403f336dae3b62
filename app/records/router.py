"""The routes of a kind, built from its spec: list (with the kind's typed sorts and filters),
get, create, replace, patch, delete, revisions, restore. (No `from __future__ import annotations`
here: FastAPI reads the kind's schema types from these closures' annotations at runtime.)"""

import inspect
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from app.core.db import SessionDep
from app.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from app.core.http import dumps, json_response, record_etag_prefix
from app.core.pagination import CursorQuery, Page
from app.core.routing import IfMatch, KeyPath, problem_responses, send_page
from app.core.services import public_origin
from app.keys.dependencies import AdminDep, EditorDep, ViewerDep
from app.keys.service import Viewer
from app.records.include import batch_page, detail_model, embed, ids_query, include_query, list_model
from app.records.params import LangDep, ListParamsDep
from app.records.revisions import revision_page
from app.records.schemas import RevisionOut
from app.records.service import RecordService
from app.records.spec import KindSpec


async def send_record(
    request: Request,
    service: RecordService,
    key: Any,
    lang: str,
    status_code: int = 200,
    *,
    detail: bool = False,
    include: list[str] | None = None,
) -> Response:
    """The record as a read shows it, read again after a write (in the write's transaction);
    `detail`: a GET, whose query parameters the kind may read; `include`: the relations to embed."""
    out = await service.read(str(key), lang, request.query_params if detail else None)
    if include:
        out["included"] = await embed(service, [out], include, lang)
    headers = {"Content-Language": _content_language(out, lang)}
    if status_code == 201:
        headers["Location"] = f"/v1/{service.spec.plural}/{out['id']}"
    return json_response(
        request,
        out,
        etag_prefix=record_etag_prefix(out["version"], lang),
        status_code=status_code,
        headers=headers,
    )


def _content_language(out: dict[str, Any], lang: str) -> str:
    display = out.get("display")
    if display is not None and display["title"] is not None:
        return str(display["title"]["lang"])
    return "mul" if lang == "all" else lang


@dataclass
class KindQuery:
    """A list's kind-specific part: its sort and its own filters' checked values."""

    sort: str | None
    filters: dict[str, Any]


def kind_query(spec: KindSpec) -> Any:
    """A dependency whose parameters are the kind's sort (an enum of its sort fields, either
    direction) and its filters' parameters, as the spec declares them."""
    sorts = [*spec.sorts, *(f"-{name}" for name in spec.sorts)]
    parameters = [
        inspect.Parameter(
            "sort",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                Literal[tuple(sorts)] | None,
                Query(
                    description="Sort field, `-` for descending. Default `slug`.", examples=["-updated_at"]
                ),
            ],
        )
    ]
    for f in spec.filters:
        for name, annotation in f.parameters().items():
            parameters.append(
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
            )

    async def dependency(**raw: Any) -> KindQuery:
        values: dict[str, Any] = {}
        for f in spec.filters:
            values.update(f.parse(raw))
        return KindQuery(sort=raw.get("sort"), filters=values)

    dependency.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return dependency


def kind_router(spec: KindSpec) -> APIRouter:
    router = APIRouter(prefix=f"/{spec.plural}", tags=[spec.tag])
    add_list_route(router, spec)
    add_record_routes(router, spec)
    return router


def add_list_route(router: APIRouter, spec: KindSpec) -> None:
    Query_: Any = Annotated[KindQuery, Depends(kind_query(spec))]
    Include: Any = Annotated[list[str], Depends(include_query(spec))]

    @router.get(
        "",
        name=f"list_{spec.plural}",
        summary=f"List {spec.plural}",
        description=f"Sort by {', '.join(spec.sorts)}.",
        response_model=list_model(spec),
        responses=problem_responses(BadRequest, Forbidden, Unprocessable),
    )
    async def list_records(
        request: Request,
        session: SessionDep,
        viewer: ViewerDep,
        params: ListParamsDep,
        lang: LangDep,
        query: Query_,
        include: Include,
        ids: Annotated[list[str], Depends(ids_query)],
    ) -> Response:
        service = RecordService(session, spec, viewer)
        if ids:
            items, extra = await batch_page(service, ids, include, lang)
            return send_page(request, items, len(items), None, lang, extra)
        items, total, next_cursor = await service.list_page(params, lang, query.sort, query.filters)
        included = {"included": await embed(service, items, include, lang)} if include else None
        return send_page(request, items, total, next_cursor, lang, included)

    del list_records


def add_record_routes(router: APIRouter, spec: KindSpec) -> None:
    """GET one, POST, PUT, PATCH, DELETE, revisions and restore for a kind."""

    def make_service(session: Any, viewer: Viewer) -> RecordService:
        return RecordService(session, spec, viewer)

    InSchema: Any = spec.in_schema
    OutSchema: Any = spec.out_schema
    kind = spec.kind
    write_errors = problem_responses(
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed, Unprocessable
    )

    linked: dict[int | str, dict[str, Any]] = {}
    if spec.representations:
        linked[200] = {
            "description": " ".join(r.response for r in spec.representations),
            "content": {r.media_type: {"schema": {"type": "object"}} for r in spec.representations},
        }

    @router.get(
        "/{key}",
        name=f"get_{kind}",
        summary=f"Get one {kind} by id or slug",
        description=" ".join(r.description for r in spec.representations),
        response_model=detail_model(spec),
        responses={**linked, **problem_responses(NotFound, Unprocessable)},
        openapi_extra={"parameters": list(spec.detail_parameters)} if spec.detail_parameters else None,
    )
    async def get_one(
        request: Request,
        key: KeyPath,
        session: SessionDep,
        viewer: ViewerDep,
        lang: LangDep,
        include: Annotated[list[str], Depends(include_query(spec))],
    ) -> Response:
        service = make_service(session, viewer)
        accept = request.headers.get("accept", "").lower()
        for shown in spec.representations:
            if shown.media_type in accept:
                out = await service.read(str(key), "all")
                document = shown.render(out, public_origin(request))
                return Response(dumps(document), media_type=shown.media_type, headers={"Vary": "Accept"})
        return await send_record(request, service, key, lang, detail=True, include=include)

    @router.post(
        "",
        name=f"create_{kind}",
        summary=f"Create {spec.a_kind} (editor)",
        status_code=201,
        response_model=OutSchema,
        responses=write_errors,
    )
    async def create(
        request: Request, body: InSchema, session: SessionDep, viewer: EditorDep, lang: LangDep
    ) -> Response:
        service = make_service(session, viewer)
        record = await service.create(body)
        return await send_record(request, service, record.id, lang, status_code=201)

    @router.put(
        "/{key}",
        name=f"replace_{kind}",
        summary=f"Replace {spec.a_kind} (editor)",
        response_model=OutSchema,
        responses=write_errors,
    )
    async def replace(
        request: Request,
        key: KeyPath,
        body: InSchema,
        session: SessionDep,
        viewer: EditorDep,
        lang: LangDep,
        if_match: IfMatch = None,
    ) -> Response:
        service = make_service(session, viewer)
        return await send_record(request, service, (await service.replace(key, body, if_match)).id, lang)

    @router.patch(
        "/{key}",
        name=f"patch_{kind}",
        summary=f"Update part of {spec.a_kind} (JSON merge patch, editor)",
        description="RFC 7396 merge patch: fields you send replace the stored ones, `null` removes a field.",
        response_model=OutSchema,
        responses={**write_errors, **problem_responses(UnsupportedMediaType)},
    )
    async def patch(
        request: Request,
        key: KeyPath,
        session: SessionDep,
        viewer: EditorDep,
        lang: LangDep,
        body: Annotated[
            dict[str, Any],
            Body(
                media_type="application/merge-patch+json",
                openapi_examples={"publish": {"summary": "Publish", "value": {"publication": "published"}}},
            ),
        ],
        if_match: IfMatch = None,
    ) -> Response:
        if "json-patch" in request.headers.get("content-type", "").lower():  # RFC 6902's operations
            raise UnsupportedMediaType(
                "PATCH takes a JSON merge patch (RFC 7396, application/merge-patch+json): the fields to "
                "change with their new values, null to remove one."
            )
        service = make_service(session, viewer)
        return await send_record(request, service, (await service.patch(key, body, if_match)).id, lang)

    @router.delete(
        "/{key}",
        name=f"delete_{kind}",
        summary=f"Delete {spec.a_kind} (admin; the change feed announces it, and `restore` undoes it)",
        description="Deleting needs an admin key; an editor key gets 403 (editors can unpublish instead).",
        status_code=204,
        responses=write_errors,
    )
    async def delete(
        key: KeyPath, session: SessionDep, viewer: AdminDep, if_match: IfMatch = None
    ) -> Response:
        await make_service(session, viewer).delete(key, if_match)
        return Response(status_code=204)

    @router.get(
        "/{key}/revisions",
        name=f"list_{kind}_revisions",
        summary=f"History of {spec.a_kind}: who changed it, when, and what it was before (editor)",
        description="Newest first, a page at a time like every list.",
        response_model=Page[RevisionOut],
        responses=problem_responses(BadRequest, Unauthorized, NotFound, Unprocessable),
    )
    async def revisions(
        request: Request,
        key: KeyPath,
        session: SessionDep,
        viewer: EditorDep,
        limit: Annotated[
            int, Query(ge=1, le=500, description="Items per page (at most 500).", examples=[100])
        ] = 100,
        cursor: CursorQuery = None,
    ) -> Response:
        items, total, next_cursor = await revision_page(session, spec, key, limit, cursor)
        page = Page[RevisionOut](
            items=[RevisionOut.model_validate(i) for i in items], total=total, next_cursor=next_cursor
        )
        return json_response(request, page)

    @router.post(
        "/{key}/restore",
        name=f"restore_{kind}",
        summary=f"Bring a deleted {kind} back, or an earlier version forward (editor)",
        description="No `version`: undelete. `version=N`: version N's content comes back as a new version.",
        response_model=OutSchema,
        responses=write_errors,
    )
    async def restore(
        request: Request,
        key: KeyPath,
        session: SessionDep,
        viewer: EditorDep,
        lang: LangDep,
        version: Annotated[
            int | None,
            Query(ge=1, le=2**31 - 1, description="The version to bring forward.", examples=[1]),
        ] = None,
        if_match: IfMatch = None,
    ) -> Response:
        service = make_service(session, viewer)
        restored = await service.restore(key, version, if_match)
        return await send_record(request, service, restored.id, lang)

    del get_one, create, replace, patch, delete, revisions, restore  # registered on the router
