"""One chronological list across kinds: what happened, when, for a country, topic and period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable, field_error
from app.core.i18n import display_block
from app.core.pagination import cursor_uuid, decode_cursor, encode_cursor
from app.registry import KINDS, SPECS
from app.timeline.repository import Period, TimelineRepository

# Kinds with dated steps, in registry order.
TIMELINE_KINDS = [spec.kind for spec in SPECS if spec.timeline]
_SORT = "timeline"


class TimelineService:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = TimelineRepository(session)

    async def page(
        self,
        *,
        kinds: Sequence[str],
        countries: Sequence[str],
        topics: Sequence[str],
        date_from: str | None,
        date_to: str | None,
        cursor: str | None,
        limit: int,
        lang: str,
    ) -> tuple[list[dict[str, Any]], int, str | None]:
        after = decode_cursor(cursor, _SORT, 3) if cursor else None
        if after is not None:
            cursor_uuid(after[1])
        specs = [KINDS[k] for k in (kinds or TIMELINE_KINDS)]
        period = Period(countries, topics, date_from, date_to)
        rows, total = await self.repo.page(specs, period, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if rows else None
        next_cursor = (
            encode_cursor(_SORT, [last["date"], str(last["id"]), last["what"]]) if more and last else None
        )
        return [_entry(r, lang) for r in rows], total, next_cursor


def _entry(row: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "date": row["date"],
        "what": row["what"],
        "kind": row["kind"],
        "id": row["id"],
        "slug": row["slug"],
        "href": f"/v1/{KINDS[row['kind']].plural}/{row['slug']}",
        "title": row["title"],
        "countries": row["countries"],
        "topics": row["topics"],
        "status": row["status"],
        "display": None
        if lang == "all"
        else display_block(
            {"title": row["title"], "summary": None},
            lang,
            row["original_language"],
            row["translation_kinds"] or {},
        ),
    }


async def series_of(
    session: AsyncSession,
    slugs: Sequence[str],
    countries: Sequence[str],
    date_from: str | None,
    date_to: str | None,
    lang: str,
) -> list[dict[str, Any]]:
    """The values the public records named put beside the timeline (kinds with `KindSpec.series`),
    for the same countries and period; 422 for a slug none of them has."""
    out = []
    for slug in slugs[:10]:
        shown = None
        for spec in SPECS:
            if spec.series is not None:
                shown = await spec.series(session, spec, slug, countries, date_from, date_to, lang)
                if shown is not None:
                    break
        if shown is None:
            raise Unprocessable([field_error(["series"], f"no public record with values is named {slug!r}")])
        out.append(shown)
    return out
