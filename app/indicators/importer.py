"""Importing observations of one indicator from a published file, with the record import's
guarantees: every value checked before anything is written, every problem reported with its line
and field, nothing written when there is one (or on a dry run), all or nothing in the caller's
transaction. Each import names its source: the key of a source the base has, or a new source
(publisher, title, URL, vintage, `via`) created or updated with the values."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, Unprocessable, field_error
from app.imports.schemas import LineError
from app.indicators.formats import Reading, read
from app.indicators.rows import Checked, SourceIn, check
from app.indicators.store import figures_changed, source_ids, upsert_sources, write_rows
from app.keys.service import Viewer
from app.models import Indicator
from app.records.repository import RecordRepository
from app.records.spec import KindSpec

MAX_ERRORS = 1000


class ObservationCounts(BaseModel):
    added: int = Field(0, description="New observations.")
    replaced: int = Field(
        0, description="Observations of the same country, period, breakdown and source, with a new value."
    )
    unchanged: int = Field(0, description="Observations already there as the file has them.")
    superseded: int = Field(
        0,
        description="Lines that a later line of the file, for the same country, period, breakdown "
        "and source, replaced: only the later one is written.",
    )
    skipped: int = Field(
        0, description="Values left out on purpose: empty cells, aggregates that are not countries."
    )


class ObservationImportReport(BaseModel):
    dry_run: bool
    committed: bool = Field(description="True when the observations were written (all of them).")
    indicator: str = Field(examples=["remittances-gdp"])
    format: str = Field(examples=["wb-csv"])
    source: str = Field(description="The source every value is recorded with.", examples=["src-wdi-2026-04"])
    series: str | None = Field(
        None, description="The series code the file names.", examples=["BX.TRF.PWKR.DT.GD.ZS"]
    )
    rows: int = Field(description="Values read and checked.")
    counts: ObservationCounts
    errors: list[LineError] = Field(description="Every problem found, in file order (at most 1,000).")


@dataclass(frozen=True)
class ImportRequest:
    indicator: str
    fmt: str
    source_key: str
    source: SourceIn | None = None  # a new or updated source; else `source_key` must exist
    country: str | None = None  # Open SDG files of a national platform name no country
    dry_run: bool = False


async def import_observations(
    session: AsyncSession, spec: KindSpec, viewer: Viewer, request: ImportRequest, data: bytes
) -> ObservationImportReport:
    record = await RecordRepository(session, spec).get(request.indicator)
    if record is None:
        raise NotFound(f"No {spec.kind} with id or slug {request.indicator!r}.")
    assert isinstance(record, Indicator)
    if request.source is None and not await source_ids(session, [request.source_key]):
        raise Unprocessable(
            [
                field_error(
                    ["source"],
                    f"unknown source {request.source_key!r}: give its publisher and title to create it",
                )
            ]
        )
    reading, checked = Reading(), Checked()
    for item in read(request.fmt, data, reading, request.country):
        if isinstance(item, LineError):
            checked.errors.append(item)
        else:
            check(item[2], item[0], item[1], checked)
        if len(checked.errors) >= MAX_ERRORS:
            break
    if record.code and reading.code and reading.code != record.code:
        checked.errors.insert(
            0,
            LineError(
                line=1,
                path="",
                message=f"the file holds series {reading.code}, this indicator is {record.code}",
            ),
        )
    report = ObservationImportReport(
        dry_run=request.dry_run,
        committed=False,
        indicator=record.slug,
        format=request.fmt,
        source=request.source_key,
        series=reading.code,
        rows=len(checked.rows),
        counts=ObservationCounts(skipped=reading.skipped),
        errors=checked.errors[:MAX_ERRORS],
    )
    if checked.errors or request.dry_run:
        return report
    ids = (
        await upsert_sources(session, [request.source])
        if request.source
        else await source_ids(session, [request.source_key])
    )
    written = await write_rows(session, record.id, checked.rows, ids, request.source_key)
    if written.added or written.changed:
        await figures_changed(session, spec, viewer, record.slug, checked.rows)
    counts = report.counts
    counts.added, counts.replaced, counts.superseded = written
    counts.unchanged = len(checked.rows) - written.added - written.changed - written.superseded
    report.committed = True
    return report
