import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.attachments.transfer import Files
from app.core.config import SettingsDep
from app.core.db import SessionDep
from app.core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType
from app.core.http import json_response
from app.core.routing import problem_responses
from app.core.services import services_of
from app.imports.schemas import ImportReport
from app.imports.service import ImportService
from app.keys.dependencies import EditorDep

router = APIRouter(tags=["Import and export"])

_EXAMPLE = (
    '{"kind": "organization", "slug": "org-kg-adilet", "name": {"en": "Adilet Legal Clinic"}, '
    '"org_type": "legal_clinic", "countries": ["KG"], "publication": "published"}\n'
)


@router.post(
    "/import",
    name="import_records",
    summary="Import records: NDJSON (any kind) or CSV (organizations), all or nothing (editor)",
    description=(
        "A line whose kind and slug name a record already here replaces it; other lines create records. "
        "Every line is validated before anything is written; one bad line "
        "rejects the whole file with a report of every problem (line, field, message). Relations may "
        "name records defined later in the same file. `dry_run=true` returns the report and writes nothing. "
        "CSV: `slug`, `name_<lang>`, `description_<lang>`, `org_type`, … with `|` between list values; "
        "comma or semicolon separated, with or without a byte-order mark. A line of a law, policy, "
        "event or publication may list `attachments` (`sha256`, `filename`, `title`, `languages`, as "
        "the export writes them) of files the base stores already: those the record lacks are added, "
        "the others' metadata updated; none is removed."
    ),
    response_model=ImportReport,
    responses=problem_responses(PayloadTooLarge, UnsupportedMediaType, Unprocessable),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                # A file (`format: binary`): generated clients send its bytes as they are.
                "application/x-ndjson": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": _EXAMPLE,
                },
                "text/csv": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": "slug,name_en,org_type\norg-x,Example,ngo\n",
                },
            },
        }
    },
)
async def import_records(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: EditorDep,
    dry_run: Annotated[
        bool, Query(description="Validate and count only; write nothing.", examples=[True])
    ] = False,
    format: Annotated[
        Literal["ndjson", "csv"] | None,
        Query(description="Default: from Content-Type (CSV for text/csv).", examples=["ndjson"]),
    ] = None,
) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = format or ("csv" if content_type in ("text/csv", "application/csv") else "ndjson")
    if format is None and content_type not in (
        "",
        "application/x-ndjson",
        "application/jsonl",
        "application/json",
        "text/plain",
        "text/csv",
        "application/csv",
    ):
        raise UnsupportedMediaType("Send application/x-ndjson (one JSON record a line) or text/csv.")
    limit = settings.max_import_bytes
    with tempfile.NamedTemporaryFile(prefix="migrantkb-import-", suffix=f".{fmt}") as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"Imports are limited to {limit} bytes; split the file.")
            spool.write(chunk)
        spool.flush()
        # Attachments on the lines name files by sha256: the store must hold them already
        # (`migrantkb import --files DIR` brings their bytes along).
        files = Files(services_of(request).files, None, settings.max_attachment_bytes)
        report = await ImportService(session, viewer, files=files).run(Path(spool.name), fmt, dry_run=dry_run)
    if report.errors and not dry_run:
        raise Unprocessable.lines(report.errors)
    return json_response(request, report)
