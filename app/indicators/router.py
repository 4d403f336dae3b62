"""The indicator's own routes beside its record routes (`KindSpec.routes`): its observations as a
page (JSON) or a table (`Accept: text/csv`), and its chart as Vega-Lite, SVG or PNG. (No `from
__future__ import annotations`: FastAPI reads these annotations at runtime.)"""

import csv
import io
import uuid
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError

from app.core.config import SettingsDep
from app.core.db import SessionDep
from app.core.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable
from app.core.http import dumps, json_response
from app.core.pagination import CursorQuery
from app.core.routing import KeyPath, problem_responses, send_page
from app.exports.cells import neutralised
from app.indicators.chart import chart_spec, render
from app.indicators.formats import FORMATS, Format
from app.indicators.importer import ImportRequest, ObservationImportReport, import_observations
from app.indicators.kind import INDICATOR
from app.indicators.observations import ObservationQuery, check_query, every, page, sources_named
from app.indicators.rows import SourceIn
from app.indicators.schemas import ObservationPage
from app.keys.dependencies import EditorDep, ViewerDep
from app.keys.service import Viewer
from app.records.params import LangDep
from app.records.service import RecordService, validation_errors

router = APIRouter(prefix=f"/{INDICATOR.plural}", tags=[INDICATOR.tag])

Country = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="Countries (ISO 3166-1 alpha-2) or the indicator's regional aggregates, comma-separated.",
        examples=["KG,TJ"],
    ),
]
From = Annotated[
    str | None,
    Query(
        alias="from",
        max_length=32,
        description="Periods overlapping this one or later: a year, month (2024-12) or quarter (2023-Q1).",
        examples=["2008"],
    ),
]
To = Annotated[
    str | None,
    Query(
        alias="to", max_length=32, description="Periods overlapping this one or earlier.", examples=["2022"]
    ),
]
Source = Annotated[
    str | None,
    Query(max_length=2000, description="Source keys, comma-separated.", examples=["src-wdi-2026-04"]),
]
CSV_COLUMNS = [
    "indicator",
    "country",
    "region",
    "period",
    "start",
    "end",
    "value",
    "unit",
    "disaggregation",
    "note",
    "source",
    "source_publisher",
    "source_title",
    "source_vintage",
    "source_via",
    "source_url",
]


async def _selection(
    session: Any,
    viewer: Viewer,
    key: str,
    lang: str,
    country: str | None,
    start: str | None,
    end: str | None,
    source: str | None,
) -> tuple[dict[str, Any], ObservationQuery]:
    indicator = await RecordService(session, INDICATOR, viewer).read(key, lang)  # drafts need a key
    query = await check_query(session, uuid.UUID(str(indicator["id"])), country, start, end, source)
    return indicator, query


def _csv(indicator: dict[str, Any], rows: list[dict[str, Any]], sources: list[dict[str, Any]]) -> bytes:
    by_key = {s["key"]: s for s in sources}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        s = by_key[r["source"]]
        cells = [
            indicator["slug"],
            r["country"],
            "|".join(r["region"]),
            r["period"],
            r["start"],
            r["end"],
            repr(r["value"]) if not float(r["value"]).is_integer() else str(int(r["value"])),
            indicator.get("unit") or "",
            ";".join(f"{k}={v}" for k, v in sorted(r["disaggregation"].items())),
            r["note"] or "",
            r["source"],
            s["publisher"],
            s["title"],
            s["vintage"] or "",
            s["via"] or "",
            s["url"] or "",
        ]
        writer.writerow([neutralised(c) for c in cells])
    return ("\ufeff" + out.getvalue()).encode()


@router.get(
    "/{key}/observations",
    name="list_indicator_observations",
    summary="An indicator's observations, each with its source (JSON page, or CSV with `Accept: text/csv`)",
    description=(
        "Every value of one indicator for the countries and periods asked, in order of country then "
        "time; several sources for one country and period are all listed. Periods are years (`2022`), "
        "months (`2024-12`), quarters (`2023-Q1`), days or intervals (`2019-01/2019-06`); `from`/`to` "
        "keep those overlapping the range. `Accept: text/csv` answers every matching row as CSV (no "
        "paging) with the source's publisher, title, vintage and `via` on each line; so does `format=csv`."
    ),
    response_model=ObservationPage,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **problem_responses(BadRequest, NotFound, Unprocessable),
    },
)
async def list_observations(
    request: Request,
    key: KeyPath,
    session: SessionDep,
    viewer: ViewerDep,
    lang: LangDep,
    country: Country = None,
    date_from: From = None,
    date_to: To = None,
    source: Source = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Items per page (at most 1000).")] = 100,
    cursor: CursorQuery = None,
    format: Annotated[
        Literal["json", "csv"] | None,
        Query(description="`csv`: the CSV answer, as `Accept: text/csv` asks (for a link to follow)."),
    ] = None,
) -> Response:
    indicator, query = await _selection(session, viewer, key, lang, country, date_from, date_to, source)
    indicator_id = uuid.UUID(str(indicator["id"]))
    accept = request.headers.get("accept", "").lower()
    if format == "csv" or (format is None and "text/csv" in accept):
        rows = [r async for r in every(session, indicator_id, query)]
        sources = await sources_named(session, {r["source"] for r in rows})
        body = _csv(indicator, rows, sources)
        filename = f"{indicator['slug']}-observations.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"},
        )
    items, total, next_cursor, sources = await page(session, indicator_id, query, limit, cursor)
    return send_page(request, items, total, next_cursor, lang, {"sources": sources})


CHART_NAMES = {"svg": "SVG", "png": "PNG", "vl.json": "a Vega-Lite specification"}
CHART_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "vl.json": "application/json",
}


async def _chart(
    key: str,
    fmt: str,
    session: Any,
    viewer: Viewer,
    lang: str,
    country: str | None,
    start: str | None,
    end: str | None,
    source: str | None,
) -> Response:
    shown = "en" if lang == "all" else lang
    indicator, query = await _selection(session, viewer, key, shown, country, start, end, source)
    rows = [r async for r in every(session, uuid.UUID(str(indicator["id"])), query)]
    sources = await sources_named(session, {r["source"] for r in rows})
    spec = chart_spec(indicator, rows, sources, shown)
    headers = {"Content-Language": shown}
    if fmt == "vl.json":
        return Response(dumps(spec), media_type=CHART_TYPES[fmt], headers=headers)
    body = await to_thread.run_sync(render, spec, fmt)
    return Response(body, media_type=CHART_TYPES[fmt], headers=headers)


def _add_chart_route(fmt: str) -> None:
    @router.get(
        f"/{{key}}/chart.{fmt}",
        name=f"indicator_chart_{fmt.replace('.', '_')}",
        summary=f"An indicator's line chart as {CHART_NAMES[fmt]}",
        description=(
            "One line per country (one per source where a country's values come from several sources, "
            "each source drawn with its own dash and point shape), titled in the asked language, the "
            "sources listed under the chart (with `via` where values were read from a copy or a report). "
            "Built as Vega-Lite (`chart.vl.json`, data inline, for apps that draw it themselves) and "
            "rendered on the server (`chart.svg`, `chart.png`)."
        ),
        response_class=Response,
        responses={
            200: {
                "content": {
                    CHART_TYPES[fmt]: {"schema": {"type": "string" if fmt != "vl.json" else "object"}}
                }
            },
            **problem_responses(NotFound, Unprocessable),
        },
    )
    async def chart(
        key: KeyPath,
        session: SessionDep,
        viewer: ViewerDep,
        lang: LangDep,
        country: Country = None,
        date_from: From = None,
        date_to: To = None,
        source: Source = None,
    ) -> Response:
        return await _chart(key, fmt, session, viewer, lang, country, date_from, date_to, source)

    del chart


for _fmt in CHART_TYPES:
    _add_chart_route(_fmt)


@router.post(
    "/{key}/observations/import",
    name="import_indicator_observations",
    summary="Import an indicator's observations from a published file, all or nothing (editor)",
    description=(
        "The file is the request body, in one of these formats: "
        + "; ".join(f"`{k}`: {v}" for k, v in FORMATS.items())
        + ". Every value is checked before anything is written; one problem rejects the whole file "
        "with every problem listed (line, field, message), and `dry_run=true` reports without writing. "
        "The import names its source: `source` is its key; with `publisher` and `title` the source "
        "is created (or its description updated), else it must exist. A value of the same country, "
        "period, breakdown and source replaces the one there; values of other sources stay beside it. "
        "Values of aggregates that are not countries (regions, income groups) and empty cells are "
        "skipped and counted."
    ),
    response_model=ObservationImportReport,
    responses=problem_responses(Unauthorized, Forbidden, NotFound, PayloadTooLarge, Unprocessable),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "string", "format": "binary"}},
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_observations_route(
    request: Request,
    key: KeyPath,
    session: SessionDep,
    settings: SettingsDep,
    viewer: EditorDep,
    format: Annotated[Format, Query(description="The file's format.", examples=["wb-csv"])],
    source: Annotated[
        str, Query(max_length=120, description="The source's key.", examples=["src-wdi-2026-04"])
    ],
    publisher: Annotated[str | None, Query(max_length=2000, description="A new source's publisher.")] = None,
    title: Annotated[str | None, Query(max_length=2000, description="A new source's title.")] = None,
    url: Annotated[str | None, Query(max_length=2000, description="A new source's address.")] = None,
    vintage: Annotated[
        str | None, Query(max_length=32, description="Which release.", examples=["2026-04"])
    ] = None,
    via: Annotated[
        str | None, Query(max_length=2000, description="The copy or report it was read from.")
    ] = None,
    country: Annotated[
        str | None, Query(max_length=3, description="Open SDG: the platform's country, where rows name none.")
    ] = None,
    dry_run: Annotated[bool, Query(description="Check and count only; write nothing.")] = False,
) -> Response:
    try:
        described = SourceIn.described(
            source, publisher=publisher, title=title, url=url, vintage=vintage, via=via
        )
    except ValidationError as exc:
        raise validation_errors(exc) from exc
    limit = settings.max_import_bytes
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Imports are limited to {limit} bytes; split the file.")
        chunks.append(chunk)
    wanted = ImportRequest(str(key), format, source, described, country, dry_run)
    report = await import_observations(session, INDICATOR, viewer, wanted, b"".join(chunks))
    if report.errors and not dry_run:
        raise Unprocessable.lines(report.errors)
    return json_response(request, report)
