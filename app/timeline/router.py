from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.db import SessionDep
from app.core.errors import BadRequest, Unprocessable
from app.core.pagination import CursorQuery, Page
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
from app.timeline.schemas import TimelineEntry
from app.timeline.service import TIMELINE_KINDS, TimelineService

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
        "`?country=KG&topic=labour-migration&from=2012&to=2015`."
    ),
    response_model=Page[TimelineEntry],
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
    return send_page(request, items, total, next_cursor, lang)
