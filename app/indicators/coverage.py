"""What an indicator's detail adds: the sources its values come from and the countries and periods
they cover (`KindSpec.detail`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import IndicatorSource, Observation


def source_out(row: Any) -> dict[str, Any]:
    return {
        "key": row.key,
        "publisher": row.publisher,
        "title": row.title,
        "url": row.url,
        "vintage": row.vintage,
        "via": row.via,
    }


async def sources_of(session: AsyncSession, indicator_ids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
    rows = await session.execute(
        select(Observation.indicator_id, IndicatorSource)
        .join(IndicatorSource, IndicatorSource.id == Observation.source_id)
        .where(Observation.indicator_id.in_(indicator_ids))
        .distinct()
        .order_by(Observation.indicator_id, IndicatorSource.key)
    )
    out: dict[Any, list[dict[str, Any]]] = {}
    for indicator_id, source in rows:
        out.setdefault(indicator_id, []).append(source_out(source))
    return out


async def indicator_detail(
    session: AsyncSession, outs: list[dict[str, Any]], params: Mapping[str, str]
) -> None:
    """Every indicator's `sources` and `coverage` (a fixed number of queries per page)."""
    ids = [o["id"] for o in outs]
    sources = await sources_of(session, ids)
    periods = await session.execute(
        select(Observation.indicator_id, Observation.period, func.min(Observation.period_start).label("s"))
        .where(Observation.indicator_id.in_(ids))
        .group_by(Observation.indicator_id, Observation.period)
        .order_by(Observation.indicator_id, "s", Observation.period)
    )
    by_period: dict[Any, list[str]] = {}
    for row in periods:
        by_period.setdefault(row.indicator_id, []).append(row.period)
    countries = await session.execute(
        select(Observation.indicator_id, Observation.country, func.count())
        .where(Observation.indicator_id.in_(ids))
        .group_by(Observation.indicator_id, Observation.country)
        .order_by(Observation.indicator_id, Observation.country)
    )
    by_country: dict[Any, list[str]] = {}
    counts: dict[Any, int] = {}
    for indicator_id, country, n in countries:
        by_country.setdefault(indicator_id, []).append(country)
        counts[indicator_id] = counts.get(indicator_id, 0) + n
    for out in outs:
        listed = by_period.get(out["id"], [])
        out["sources"] = sources.get(out["id"], [])
        out["coverage"] = {
            "observations": counts.get(out["id"], 0),
            "countries": by_country.get(out["id"], []),
            "periods": listed,
            "first": listed[0] if listed else None,
            "last": listed[-1] if listed else None,
        }
