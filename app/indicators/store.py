"""Writing observations: sources upserted by key, then every row through COPY into a temporary
table and one `INSERT … ON CONFLICT` (a value of the same indicator, country, period, breakdown and
source is replaced, any other is added), in the caller's transaction. Then the indicator's
`countries` take in the countries observed, as a write of the record (a revision and a change
row: the feed, the index and webhooks see that its figures changed)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.indicators.rows import Row, SourceIn
from app.keys.service import Viewer
from app.models import IndicatorSource, Observation
from app.records.service import RecordService
from app.records.spec import KindSpec

_COLUMNS = [
    "indicator_id",
    "country",
    "region",
    "period",
    "period_start",
    "period_end",
    "value",
    "disaggregation",
    "note",
    "source_id",
]


async def upsert_sources(session: AsyncSession, sources: Sequence[SourceIn]) -> dict[str, int]:
    """The sources by key (created, or their description updated), with their ids."""
    out: dict[str, int] = {}
    for source in sources:
        values = source.model_dump(mode="json")
        stmt = insert(IndicatorSource).values(**values)
        upsert = stmt.on_conflict_do_update(
            index_elements=[IndicatorSource.key],
            set_={k: stmt.excluded[k] for k in values if k != "key"} | {"updated_at": func.now()},
        ).returning(IndicatorSource.id)
        out[source.key] = (await session.execute(upsert)).scalar_one()
    return out


async def source_ids(session: AsyncSession, keys: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(
        select(IndicatorSource.key, IndicatorSource.id).where(IndicatorSource.key.in_(list(keys)))
    )
    return {k: i for k, i in rows}


async def write_rows(
    session: AsyncSession,
    indicator_id: uuid.UUID,
    rows: Sequence[Row],
    sources: dict[str, int],
    default: str | None,
) -> tuple[int, int]:
    """Every row written; (added, replaced)."""
    if not rows:
        return 0, 0
    records = [
        (
            indicator_id,
            r.country,
            r.region,
            r.period,
            r.start,
            r.end,
            r.value,
            orjson.dumps(r.disaggregation).decode(),
            r.note,
            sources[r.source or default or ""],
        )
        for r in rows
    ]
    await session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS observations_in "
            "(LIKE indicator_observations INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
    )
    await session.execute(text("TRUNCATE observations_in"))
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    await driver.copy_records_to_table("observations_in", records=records, columns=_COLUMNS)
    names = ", ".join(_COLUMNS)
    result = await session.execute(
        text(
            f"INSERT INTO indicator_observations ({names}) "
            f"SELECT DISTINCT ON (indicator_id, country, period, disaggregation, source_id) {names} "
            "FROM observations_in ORDER BY indicator_id, country, period, disaggregation, source_id, id DESC "
            "ON CONFLICT (indicator_id, country, period, disaggregation, source_id) DO UPDATE SET "
            "value = EXCLUDED.value, note = EXCLUDED.note, region = EXCLUDED.region, "
            "period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end "
            "RETURNING (xmax = 0) AS added"
        )
    )
    flags = [r.added for r in result]
    added = sum(flags)
    return added, len(flags) - added


async def take_in_countries(session: AsyncSession, spec: KindSpec, viewer: Viewer, key: str) -> None:
    """The indicator's `countries` with every country observed (an aggregate's members too): a write
    of the record through its service, so a revision and a change row follow."""
    service = RecordService(session, spec, viewer)
    record = await service.repo.get(key)
    if record is None:
        return
    observed = await session.execute(
        select(Observation.country, Observation.region)
        .where(Observation.indicator_id == record.id)
        .distinct()
    )
    seen: set[str] = set(record.countries or [])
    for country, region in observed:
        seen.update(region if region else [country])
    if seen == set(record.countries or []):
        return
    await service.patch(key, {"countries": sorted(seen)}, None)
