"""Writing observations: sources upserted by key, then every row through COPY into a temporary
table and one `INSERT … ON CONFLICT` (a value of the same indicator, country, period, breakdown and
source is replaced, any other is added), in the caller's transaction. Then the indicator's
`countries` take in the countries observed, as a write of the record (a revision and a change
row: the feed, the index and webhooks see that its figures changed)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.changes.outbox import record_changed
from app.core.db import driver
from app.indicators.rows import Row, SourceIn
from app.keys.service import Viewer
from app.models import IndicatorSource, Observation, is_public
from app.records.present import editable
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


class Written(NamedTuple):
    added: int
    changed: int  # a value equal to the one there is no change
    superseded: int  # rows that a later row with the same key replaced before anything was written


async def write_rows(
    session: AsyncSession,
    indicator_id: uuid.UUID,
    rows: Sequence[Row],
    sources: dict[str, int],
    default: str | None,
) -> Written:
    """Every row written (of two rows with the same key in one file, the later).
    Sources with no values of this indicator yet take theirs by COPY straight into the table;
    otherwise through a temporary table and an upsert."""
    if not rows:
        return Written(0, 0, 0)
    latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in rows:
        breakdown = orjson.dumps(r.disaggregation, option=orjson.OPT_SORT_KEYS).decode()
        source_id = sources[r.source or default or ""]
        key = (r.country, r.start, r.period, breakdown, source_id)
        latest[key] = (
            indicator_id,
            r.country,
            r.region,
            r.period,
            r.start,
            r.end,
            r.value,
            breakdown,
            r.note,
            source_id,
        )
    records = list(latest.values())
    used = {k[-1] for k in latest}
    existing = (
        await session.execute(
            select(func.count())
            .select_from(Observation)
            .where(Observation.indicator_id == indicator_id, Observation.source_id.in_(used))
        )
    ).scalar_one()
    conn = await driver(session)
    if not existing:
        await conn.copy_records_to_table("indicator_observations", records=records, columns=_COLUMNS)
        return Written(len(records), 0, len(rows) - len(records))
    await session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS observations_in "
            "(LIKE indicator_observations INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
    )
    await session.execute(text("TRUNCATE observations_in"))
    await conn.copy_records_to_table("observations_in", records=records, columns=_COLUMNS)
    names = ", ".join(_COLUMNS)
    result = await session.execute(
        text(
            f"INSERT INTO indicator_observations ({names}) SELECT {names} FROM observations_in "
            "ON CONFLICT (indicator_id, country, period_start, period, disaggregation, source_id) "
            "DO UPDATE SET value = EXCLUDED.value, note = EXCLUDED.note, region = EXCLUDED.region, "
            "period_end = EXCLUDED.period_end "
            "WHERE (indicator_observations.value, indicator_observations.note, "
            "indicator_observations.region, indicator_observations.period_end) IS DISTINCT FROM "
            "(EXCLUDED.value, EXCLUDED.note, EXCLUDED.region, EXCLUDED.period_end) "
            "RETURNING (xmax = 0) AS added"
        )
    )
    flags = [r.added for r in result]  # the rows added or changed; equal ones are left as they are
    added = sum(flags)
    return Written(added, len(flags) - added, len(rows) - len(records))


async def figures_changed(
    session: AsyncSession, spec: KindSpec, viewer: Viewer, key: str, rows: Sequence[Row]
) -> None:
    """A new version of the indicator, since its figures changed: its `countries` take in those of
    the rows written (an aggregate's members) through its service; if it had them all, the version
    is bumped with its body as it was. Either way a revision and a change row follow, so the feed,
    the index and webhooks see that its figures changed."""
    service = RecordService(session, spec, viewer)
    record = await service.repo.get(key, for_update=True)
    if record is None:
        return
    had = set(record.countries or [])
    seen = set(had)
    for r in rows:
        seen.update(r.region or [r.country])
    if seen != had:
        await service.patch(key, {"countries": sorted(seen)}, None)
        return
    previous = editable(record, spec)
    record.version += 1
    record.updated_at = dt.datetime.now(dt.UTC)
    record_changed(
        session, record, "updated", public_before=is_public(record), key_id=viewer.key_id, previous=previous
    )
    await session.flush()
