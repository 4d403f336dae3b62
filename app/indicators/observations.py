"""Reading an indicator's observations: the query's checked parameters (countries, period bounds,
sources; unknown ones are a 422 naming the field), a page in a stable keyset order, every row for
CSV and charts, and the sources they cite."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import BadRequest, Unprocessable, field_error
from app.core.pagination import DAMAGED, cursor_int, decode_cursor, encode_cursor
from app.core.reference import country_codes
from app.indicators.coverage import source_out
from app.indicators.periods import BadPeriod, bound
from app.models import IndicatorSource, Observation
from app.records.filters import split_multi

ORDER = "country,period"


@dataclass(frozen=True)
class ObservationQuery:
    countries: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    sources: tuple[str, ...] = ()


async def aggregates(session: AsyncSession, indicator_ids: list[Any]) -> dict[Any, set[str]]:
    """The codes that are regional aggregates (values with member countries), by indicator."""
    rows = await session.execute(
        select(Observation.indicator_id, Observation.country)
        .where(Observation.indicator_id.in_(indicator_ids), Observation.region != [])
        .distinct()
    )
    out: dict[Any, set[str]] = {}
    for indicator_id, code in rows:
        out.setdefault(indicator_id, set()).add(code)
    return out


async def check_query(
    session: AsyncSession,
    indicator_id: uuid.UUID,
    country: str | None,
    date_from: str | None,
    date_to: str | None,
    source: str | None,
) -> ObservationQuery:
    """The parameters checked: countries are ISO codes or this indicator's aggregates, periods are
    periods and `from` is not after `to`, sources exist."""
    errors: list[dict[str, Any]] = []
    countries = [c.upper() for c in split_multi([country] if country else None)]
    if countries:
        grouped = (await aggregates(session, [indicator_id])).get(indicator_id, set())
        unknown = [c for c in countries if c not in country_codes() and c not in grouped]
        if unknown:
            errors.append(
                field_error(
                    ["country"],
                    f"unknown country {', '.join(unknown)}: use ISO 3166-1 alpha-2 codes"
                    + (
                        f" or an aggregate of this indicator ({', '.join(sorted(grouped))})"
                        if grouped
                        else ""
                    ),
                    "country",
                )
            )
    start = end = None
    for name, raw, is_end in (("from", date_from, False), ("to", date_to, True)):
        if raw is None:
            continue
        try:
            day = bound(raw, end=is_end)
        except BadPeriod as exc:
            errors.append(field_error([name], str(exc), "period"))
            continue
        if is_end:
            end = day
        else:
            start = day
    if start and end and start > end:
        errors.append(field_error(["to"], f"`to` ({date_to}) is before `from` ({date_from})", "range"))
    sources = split_multi([source] if source else None)
    if sources:
        known = set(
            (await session.scalars(select(IndicatorSource.key).where(IndicatorSource.key.in_(sources)))).all()
        )
        if missing := [s for s in sources if s not in known]:
            errors.append(field_error(["source"], f"unknown source {', '.join(missing)}", "source"))
    if errors:
        raise Unprocessable(errors)
    return ObservationQuery(tuple(dict.fromkeys(countries)), start, end, tuple(sources))


def _select(indicator_id: uuid.UUID, query: ObservationQuery) -> Select[Observation, str]:
    stmt = (
        select(Observation, IndicatorSource.key.label("source_key"))
        .join(IndicatorSource, IndicatorSource.id == Observation.source_id)
        .where(Observation.indicator_id == indicator_id)
    )
    if query.countries:
        stmt = stmt.where(Observation.country.in_(query.countries))
    if query.start:
        stmt = stmt.where(Observation.period_end >= query.start)
    if query.end:
        stmt = stmt.where(Observation.period_start <= query.end)
    if query.sources:
        stmt = stmt.where(IndicatorSource.key.in_(query.sources))
    return stmt


def observation_out(row: Observation, source_key: str) -> dict[str, Any]:
    return {
        "country": row.country,
        "region": list(row.region or []),
        "period": row.period,
        "start": row.period_start.isoformat(),
        "end": row.period_end.isoformat(),
        "value": row.value,
        "disaggregation": dict(row.disaggregation or {}),
        "note": row.note,
        "source": source_key,
    }


async def page(
    session: AsyncSession, indicator_id: uuid.UUID, query: ObservationQuery, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], int, str | None, list[dict[str, Any]]]:
    """A page of observations (country, then time, then id), the total and the page's sources."""
    base = _select(indicator_id, query)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    stmt = base.order_by(Observation.country, Observation.period_start, Observation.id).limit(limit + 1)
    if cursor:
        country, start, last_id = decode_cursor(cursor, ORDER, 3)
        after = cursor_int(last_id)
        try:
            day = dt.date.fromisoformat(start)
        except ValueError as exc:
            raise BadRequest(DAMAGED) from exc
        stmt = stmt.where(
            tuple_(Observation.country, Observation.period_start, Observation.id)
            > tuple_(country, day, after)
        )
    rows = (await session.execute(stmt)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [observation_out(r.Observation, r.source_key) for r in rows]
    next_cursor = None
    if more:
        last = rows[-1].Observation
        next_cursor = encode_cursor(ORDER, [last.country, last.period_start.isoformat(), str(last.id)])
    return items, total, next_cursor, await sources_named(session, {r.source_key for r in rows})


async def every(
    session: AsyncSession, indicator_id: uuid.UUID, query: ObservationQuery
) -> AsyncIterator[dict[str, Any]]:
    """Every matching observation in the page order, streamed."""
    stmt = _select(indicator_id, query).order_by(
        Observation.country, Observation.period_start, Observation.id
    )
    result = await session.stream(stmt.execution_options(yield_per=1000))
    async for row in result:
        yield observation_out(row.Observation, row.source_key)


async def sources_named(session: AsyncSession, keys: Sequence[str] | set[str]) -> list[dict[str, Any]]:
    if not keys:
        return []
    rows = await session.scalars(
        select(IndicatorSource).where(IndicatorSource.key.in_(list(keys))).order_by(IndicatorSource.key)
    )
    return [source_out(s) for s in rows]
