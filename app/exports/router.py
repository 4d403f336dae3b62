from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.core.config import SettingsDep
from app.core.errors import Unprocessable, field_error
from app.exports.service import csv_lines, ndjson_lines, public_records
from app.records.params import check_choices, split_multi
from app.records.router import problem_responses
from app.registry import KINDS

router = APIRouter(tags=["Import and export"])


@router.get(
    "/export",
    name="export_records",
    summary="Download every published record (NDJSON, or CSV for one kind)",
    description=(
        "Streams all published records in the import format, so a file exported here imports "
        "anywhere else unchanged. NDJSON: one record a line, all kinds unless `kind` is given. "
        "CSV: one kind, localized text in `<field>_<lang>` columns."
    ),
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The records, streamed.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
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
        Literal["ndjson", "csv"], Query(description="ndjson (default) or csv.", examples=["ndjson"])
    ] = "ndjson",
) -> StreamingResponse:
    kinds = check_choices("kind", split_multi(kind), list(KINDS)) or list(KINDS)
    records = public_records(request.app.state.sessionmaker, kinds)
    if format == "csv":
        if len(kinds) != 1:
            raise Unprocessable([field_error(["kind"], "CSV holds one kind: give exactly one `kind`", "csv")])
        spec = KINDS[kinds[0]]
        return StreamingResponse(
            csv_lines(spec, records, settings.languages),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{spec.plural}.csv"'},
        )
    name = kinds[0] if len(kinds) == 1 else "records"
    return StreamingResponse(
        ndjson_lines(records),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}.ndjson"'},
    )
