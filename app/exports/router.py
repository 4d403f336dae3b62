from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.core.config import SettingsDep
from app.core.errors import Unprocessable, field_error
from app.core.routing import problem_responses
from app.core.services import public_origin, services_of
from app.exports.service import csv_lines, ndjson_lines, public_records
from app.records.catalog import CATALOG
from app.records.params import check_choices, split_multi
from app.records.spec import ExportSource
from app.registry import KINDS

router = APIRouter(tags=["Import and export"])
# NDJSON and CSV hold any kind; the others are declared by the kind they hold (`KindSpec.formats`).
FormatName: Any = Literal[("ndjson", "csv", *CATALOG.formats)]


@router.get(
    "/export",
    name="export_records",
    summary="Download every published record: NDJSON, CSV, or IATI, Popolo or HSDS for other systems",
    description=(
        "Streams all published records in the import format, so a file exported here imports "
        "anywhere else unchanged. NDJSON: one record a line, all kinds unless `kind` is given. "
        "CSV: one kind, localized text in `<field>_<lang>` columns. The exchange formats hold one kind "
        "each and are for other systems, not for importing here: `iati` (programs, IATI XML), `popolo` "
        "and `hsds` (organizations, JSON)."
    ),
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The records, streamed, in the media type of the format asked for.",
            "content": {
                # Files to save (Content-Disposition: attachment), so `format: binary` each.
                **{
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in dict.fromkeys(
                        [
                            "application/x-ndjson",
                            "text/csv",
                            *(f.media_type for _, f in CATALOG.formats.values()),
                        ]
                    )
                },
            },
        },
        **problem_responses(Unprocessable),
    },
)
async def export_records(
    request: Request,
    settings: SettingsDep,
    kind: Annotated[
        list[str] | None,
        Query(description=f"{', '.join(KINDS)}; default all.", examples=["law"]),
    ] = None,
    format: Annotated[
        FormatName,
        Query(
            description="; ".join(
                ["ndjson (default)", "csv (one kind)", *(f.description for _, f in CATALOG.formats.values())]
            )
            + ".",
            examples=["ndjson"],
        ),
    ] = "ndjson",
) -> StreamingResponse:
    kinds = check_choices("kind", split_multi(kind), list(KINDS)) or list(KINDS)
    sessionmaker = services_of(request).sessions()
    base_url = public_origin(request)
    if format in CATALOG.formats:
        holder, declared = CATALOG.formats[format]
        wanted = holder.kind
        if kinds != [wanted]:
            raise Unprocessable(
                [field_error(["kind"], f"format={format} holds {wanted}s: give kind={wanted}", "format")]
            )
        source = ExportSource(
            sessionmaker,
            lambda: public_records(sessionmaker, kinds, with_ids=declared.with_ids),
            settings,
            base_url,
        )
        return StreamingResponse(
            declared.lines(source),
            media_type=declared.media_type,
            headers={"Content-Disposition": f'attachment; filename="{declared.filename}"'},
        )
    records = public_records(sessionmaker, kinds)
    if format == "csv":
        if len(kinds) != 1:
            raise Unprocessable([field_error(["kind"], "CSV holds one kind: give exactly one `kind`", "csv")])
        spec = KINDS[kinds[0]]
        return StreamingResponse(
            csv_lines(spec, records),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{spec.plural}.csv"'},
        )
    name = kinds[0] if len(kinds) == 1 else "records"
    return StreamingResponse(
        ndjson_lines(records),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}.ndjson"'},
    )
