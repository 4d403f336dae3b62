"""`/v1/{kinds}/{key}/attachments` for the kinds whose spec takes attachments (laws, policies,
events, publications): upload (multipart, editor), list, metadata, download, delete."""

import datetime as dt
import re
import uuid
from typing import Annotated, Any
from urllib.parse import quote

from anyascii import anyascii
from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from app.attachments.schemas import ATTACHMENT_LANGUAGES, AttachmentOut, ExtractionOut
from app.attachments.service import AttachmentService
from app.core.config import SettingsDep
from app.core.db import SessionDep
from app.core.errors import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    RangeNotSatisfiable,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from app.core.http import dumps
from app.core.i18n import NO_NUL
from app.core.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    cursor_time,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
)
from app.core.routing import KeyPath, problem_responses
from app.core.services import services_of
from app.keys.dependencies import EditorDep, ViewerDep
from app.keys.service import Viewer
from app.models import Attachment
from app.records.spec import KindSpec

AttachmentId = Annotated[uuid.UUID, Path(description="The attachment's id.")]
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$", re.ASCII)


def _offset(digits: str) -> int:
    """A byte position as written; past any file when longer than int() reads (4,300 digits)."""
    return int(digits) if len(digits) <= 19 else 2**63


_SORT = "created_at"


def attachment_body(spec: KindSpec, slug: str, row: Attachment, viewer: Viewer) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "languages": list(row.languages or []),
        "pages": row.pages,
        "created_at": row.created_at,
        "href": f"/v1/{spec.plural}/{slug}/attachments/{row.id}/content",
        "extraction": ExtractionOut(
            state=row.extraction_state,
            error=row.extraction_error,
            pages=row.pages,
            ocr_pages=row.ocr_pages,
            extracted_at=row.extracted_at,
        ).model_dump()
        if viewer.is_editor
        else None,
    }


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the real name (UTF-8) for the rest."""
    fallback = re.sub(r"[^A-Za-z0-9 ._()-]", "_", anyascii(filename)).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range asked for as [start, end) within the file; None for the whole file (no header,
    or one we may ignore: several ranges, another unit). 416 when it lies outside the file."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = _offset(last)
        if n == 0:
            raise RangeNotSatisfiable(size)
        return max(size - n, 0), size
    start = _offset(first)
    end = min(_offset(last) + 1, size) if last else size
    if start >= size or (last and _offset(last) < start):
        raise RangeNotSatisfiable(size)
    return start, end


def _after(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    """The previous page's last attachment, from its `next_cursor`."""
    if not cursor:
        return None
    created_at, attachment_id = decode_cursor(cursor, _SORT, 2)
    return cursor_time(created_at), cursor_uuid(attachment_id)


def attachment_router(spec: KindSpec) -> APIRouter:
    router = APIRouter(prefix=f"/{spec.plural}/{{key}}/attachments", tags=[spec.tag])
    kind = spec.kind

    def service(request: Request, session: Any, viewer: Viewer, max_bytes: int = 0) -> AttachmentService:
        return AttachmentService(session, spec, viewer, services_of(request).files, max_bytes)

    @router.post(
        "",
        name=f"upload_{kind}_attachment",
        summary=f"Attach a file to {spec.a_kind} (editor)",
        description=(
            "Multipart form: `file`, optional `title`, `languages` (repeatable: the document's "
            f"languages, {', '.join(ATTACHMENT_LANGUAGES)}; OCR reads scans in them). The type is "
            "read from the bytes (PDF, DOCX, ODT, HTML, plain text, JPEG, PNG, TIFF); identical files "
            "are stored once. Text extraction starts in the background: `extraction.state` says "
            "where it stands."
        ),
        status_code=201,
        response_model=AttachmentOut,
        responses=problem_responses(
            Unauthorized, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
        ),
    )
    async def upload(
        request: Request,
        key: KeyPath,
        session: SessionDep,
        viewer: EditorDep,
        settings: SettingsDep,
        # `format: binary` beside FastAPI's `contentMediaType`: the form the generators read
        # (openapi-python-client, openapi-typescript) to send the part as a file.
        file: Annotated[
            UploadFile, File(description="The document.", json_schema_extra={"format": "binary"})
        ],
        title: Annotated[
            str | None, Form(max_length=500, pattern=NO_NUL, description="A title to show.")
        ] = None,
        languages: Annotated[
            list[str], Form(description="Languages of the document; repeat the field.", examples=[["ru"]])
        ] = [],  # noqa: B006 (FastAPI copies defaults)
    ) -> Response:
        svc = service(request, session, viewer, settings.max_attachment_bytes)
        record, row = await svc.upload(key, file.file, file.filename, title, languages)
        body = attachment_body(spec, record.slug, row, viewer)
        return Response(
            dumps(body),
            status_code=201,
            media_type="application/json",
            headers={"Location": f"/v1/{spec.plural}/{record.slug}/attachments/{row.id}"},
        )

    @router.get(
        "",
        name=f"list_{kind}_attachments",
        summary=f"List the files attached to {spec.a_kind}",
        description="Oldest first, a page at a time like every list.",
        response_model=Page[AttachmentOut],
        responses=problem_responses(BadRequest, NotFound, Unprocessable),
    )
    async def list_attachments(
        request: Request,
        key: KeyPath,
        session: SessionDep,
        viewer: ViewerDep,
        limit: LimitQuery = 20,
        cursor: CursorQuery = None,
    ) -> Response:
        listed = await service(request, session, viewer).list(key, limit, _after(cursor))
        rows = listed.rows[:limit]
        last = rows[-1] if len(listed.rows) > limit else None
        body = {
            "items": [attachment_body(spec, listed.record.slug, r, viewer) for r in rows],
            "total": listed.total,
            "next_cursor": encode_cursor(_SORT, [last.created_at.isoformat(), str(last.id)])
            if last
            else None,
        }
        return Response(dumps(body), media_type="application/json")

    @router.get(
        "/{attachment_id}",
        name=f"get_{kind}_attachment",
        summary=f"One file attached to {spec.a_kind}: its details",
        response_model=AttachmentOut,
        responses=problem_responses(NotFound, Unprocessable),
    )
    async def get_attachment(
        request: Request, key: KeyPath, attachment_id: AttachmentId, session: SessionDep, viewer: ViewerDep
    ) -> Response:
        record, row = await service(request, session, viewer).get(key, attachment_id)
        return Response(dumps(attachment_body(spec, record.slug, row, viewer)), media_type="application/json")

    @router.get(
        "/{attachment_id}/content",
        name=f"download_{kind}_attachment",
        summary=f"Download a file attached to {spec.a_kind}",
        description="The file as uploaded. `Range: bytes=…` for part of it (206); `ETag` is its sha256.",
        response_class=Response,
        responses={
            200: {
                "description": "The file, with the media type it was stored as.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            },
            206: {"description": "The range asked for."},
            304: {"description": "Not modified (If-None-Match)."},
            **problem_responses(NotFound, RangeNotSatisfiable, Unprocessable),
        },
    )
    async def download(
        request: Request, key: KeyPath, attachment_id: AttachmentId, session: SessionDep, viewer: ViewerDep
    ) -> Response:
        _, row = await service(request, session, viewer).get(key, attachment_id)
        etag = f'"{row.sha256}"'
        headers = {
            "ETag": etag,
            "Accept-Ranges": "bytes",
            "Content-Disposition": content_disposition(row.filename),
            # An uploaded HTML page is shown as a document, never run as this site's page.
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "public, max-age=3600" if not viewer.is_editor else "private, no-store",
        }
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        wanted = request.headers.get("range")
        if_range = request.headers.get("if-range")
        span = byte_range(wanted, row.size) if not if_range or if_range.strip() == etag else None
        start, end = span or (0, row.size)
        try:
            chunks = await services_of(request).files.open(row.sha256, start, end)
        except FileNotFoundError as exc:
            raise NotFound("The attachment's file is missing from the file store.") from exc
        headers["Content-Length"] = str(end - start)
        if span is not None:
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{row.size}"
        return StreamingResponse(
            chunks, status_code=206 if span else 200, media_type=row.media_type, headers=headers
        )

    @router.delete(
        "/{attachment_id}",
        name=f"delete_{kind}_attachment",
        summary=f"Remove a file from {spec.a_kind} (editor)",
        status_code=204,
        responses=problem_responses(Unauthorized, NotFound, Unprocessable),
    )
    async def delete_attachment(
        request: Request, key: KeyPath, attachment_id: AttachmentId, session: SessionDep, viewer: EditorDep
    ) -> Response:
        await service(request, session, viewer).delete(key, attachment_id)
        return Response(status_code=204)

    del upload, list_attachments, get_attachment, download, delete_attachment
    return router
