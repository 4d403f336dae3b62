from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.db import SessionDep
from app.core.errors import BadRequest, Unprocessable
from app.core.pagination import CursorQuery
from app.core.routing import problem_responses, send_page
from app.records.params import (
    CountryQuery,
    FromQuery,
    LangDep,
    TopicQuery,
    ToQuery,
    check_choices,
    check_partial_date,
    parse_countries,
    parse_topics,
    split_multi,
)
from app.registry import SPECS
from app.timeline.schemas import TimelinePage
from app.timeline.service import TIMELINE_KINDS, TimelineService, series_of

router = APIRouter(tags=["Timeline"])


@router.get(
    "/timeline",
    name="timeline",
    summary="What happened, in order: laws adopted and in force, policies, programs, events, publications",
    description=(
        "One chronological list across kinds for a country, topic and period: each dated step of a "
        "public record (a law adopted or entering into force, a policy adopted or its period starting "
        "and ending, a program starting and ending, an event held, a publication released), oldest "
        "first, each pointing to its record (`href`). A date known only to the year sorts before the "
        "same year's months and days. Example: Kyrgyzstan's labour migration from 2012 to 2015: "
        "`?country=KG&topic=labour-migration&from=2012&to=2015`. `series=` puts the values of "
        f"{', '.join(s.plural for s in SPECS if s.series)} beside the entries: those of the same "
        "countries and period, each with its source (`?country=TJ&from=2008&to=2024&series=remittances-gdp`)."
    ),
    response_model=TimelinePage,
    responses=problem_responses(BadRequest, Unprocessable),
)
async def timeline(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    country: CountryQuery = None,
    topic: TopicQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    kind: Annotated[
        list[str] | None,
        Query(description=f"Only these kinds: {', '.join(TIMELINE_KINDS)}.", examples=["law,event"]),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=100, description="Entries per page (at most 100).", examples=[50])
    ] = 50,
    cursor: CursorQuery = None,
    series: Annotated[
        list[str] | None,
        Query(
            description=f"Slugs of {', '.join(s.plural for s in SPECS if s.series)} whose values to put "
            "beside the entries.",
            examples=["remittances-gdp"],
        ),
    ] = None,
) -> Response:
    items, total, next_cursor = await TimelineService(session).page(
        kinds=check_choices("kind", split_multi(kind), TIMELINE_KINDS),
        countries=parse_countries(country),
        topics=parse_topics(topic),
        date_from=check_partial_date("from", date_from),
        date_to=check_partial_date("to", date_to),
        cursor=cursor,
        limit=limit,
        lang=lang,
    )
    extra = None
    if series:
        countries = parse_countries(country)
        extra = {"series": await series_of(session, split_multi(series), countries, date_from, date_to, lang)}
    return send_page(request, items, total, next_cursor, lang, extra)
