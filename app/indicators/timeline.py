"""An indicator's values beside the timeline (`KindSpec.series`): those of the timeline's countries
and period, each with its source, so events and figures of the same years read together."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.i18n import display_block
from app.indicators.observations import ObservationQuery, every, sources_named
from app.indicators.periods import BadPeriod, bound
from app.models import Indicator, visible
from app.records.spec import KindSpec


async def timeline_series(
    session: AsyncSession,
    spec: KindSpec,
    slug: str,
    countries: Sequence[str],
    date_from: str | None,
    date_to: str | None,
    lang: str,
) -> dict[str, Any] | None:
    row = (
        await session.execute(
            select(
                Indicator.id,
                Indicator.title,
                Indicator.original_language,
                Indicator.translation_kinds,
                Indicator.unit,
            ).where(Indicator.slug == slug, visible())
        )
    ).one_or_none()
    if row is None:
        return None
    try:  # the timeline checked them already: partial dates
        start = bound(date_from, end=False) if date_from else None
        end = bound(date_to, end=True) if date_to else None
    except BadPeriod:
        start = end = None
    query = ObservationQuery(tuple(countries), start, end)
    values = [v async for v in every(session, uuid.UUID(str(row.id)), query)]
    return {
        "kind": spec.kind,
        "slug": slug,
        "href": f"/v1/{spec.plural}/{slug}",
        "name": row.title,
        "display": None
        if lang == "all"
        else display_block(
            {"title": row.title, "summary": None}, lang, row.original_language, row.translation_kinds or {}
        ),
        "unit": row.unit,
        "values": values,
        "sources": await sources_named(session, {v["source"] for v in values}),
    }
