"""The timeline page: `/v1/timeline`'s service, grouped by year, filtered by country, topic and
period from a form that works without JavaScript."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams

from app.core.i18n import resolve
from app.records.params import check_partial_date, parse_countries, parse_topics
from app.registry import KINDS
from app.site.render import query_string
from app.site.texts import country_name, kind_name, texts, topic_name
from app.timeline.service import TimelineService

PAGE_SIZE = 50
# The countries the base is about, offered first in the form (any ISO code works in the URL).
REGION = ("KG", "KZ", "TJ", "UZ", "TM", "RU")


def _values(query: QueryParams, name: str) -> list[str] | None:
    return [v for v in query.getlist(name) if v] or None


async def page(
    session: AsyncSession, query: QueryParams, lang: str, topics: dict[str, dict[str, str]]
) -> dict[str, Any]:
    countries = parse_countries(_values(query, "country"))
    chosen_topics = parse_topics(_values(query, "topic"))
    date_from = check_partial_date("from", query.get("from") or None)
    date_to = check_partial_date("to", query.get("to") or None)
    cursor = query.get("cursor") or None
    items, total, next_cursor = await TimelineService(session).page(
        kinds=[],
        countries=countries,
        topics=chosen_topics,
        date_from=date_from,
        date_to=date_to,
        cursor=cursor,
        limit=PAGE_SIZE,
        lang=lang,
    )
    t = texts(lang)
    years: dict[str, list[dict[str, Any]]] = {}
    for e in items:
        title, shown = resolve(e["title"], lang, None)
        display = e.get("display") or {}
        if display.get("title"):
            title, shown = display["title"]["text"], display["title"]["lang"]
        years.setdefault(str(e["date"])[:4], []).append(
            {
                "date": e["date"],
                "what": t.get(f"what_{e['what']}", e["what"].replace("_", " ")),
                "kind_name": kind_name(e["kind"], lang),
                "href": f"/{lang}/{KINDS[e['kind']].plural}/{e['slug']}",
                "title": title or e["slug"],
                "lang": shown,
                "countries": ", ".join(country_name(c, lang) for c in e["countries"] or []),
            }
        )
    canonical = [("country", c) for c in countries] + [("topic", s) for s in chosen_topics]
    canonical += [("from", date_from or ""), ("to", date_to or "")]
    return {
        "total": total,
        "years": list(years.items()),
        "next": f"/{lang}/timeline?" + query_string([*canonical, ("cursor", next_cursor)])
        if next_cursor
        else None,
        "canonical": [*canonical, ("cursor", cursor or "")],
        "api_query": query_string([*canonical, ("cursor", cursor or ""), ("lang", lang)]),
        "date_from": date_from,
        "date_to": date_to,
        "country_options": [
            {"value": c, "label": country_name(c, lang), "selected": c in countries} for c in REGION
        ],
        "topic_options": [
            {"value": s, "label": topic_name(s, topics, lang), "selected": s in chosen_topics} for s in topics
        ],
    }
