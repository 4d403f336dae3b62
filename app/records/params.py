"""Query parameters every list shares, parsed and validated in one place."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query
from pydantic import TypeAdapter, ValidationError

from app.core.errors import Unprocessable, field_error
from app.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, negotiate
from app.core.pagination import CursorQuery, LimitQuery, in_utc_range
from app.core.partial_date import parse_partial_date
from app.core.reference import country_codes
from app.records.filters import check_choices, literal_values, split_multi

__all__ = ["check_choices", "literal_values", "split_multi"]


def check_partial_date(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_partial_date(value)
    except ValueError as exc:
        raise Unprocessable([field_error([name], f"{exc}", "date")]) from exc


def parse_countries(values: Iterable[str] | None) -> list[str]:
    countries = [c.upper() for c in split_multi(values)]
    bad = [c for c in countries if c not in country_codes()]
    if bad:
        raise Unprocessable(
            [field_error(["country"], f"{bad[0]!r} is not an ISO 3166-1 alpha-2 code", "country")]
        )
    return countries


def parse_topics(values: Iterable[str] | None) -> list[str]:
    topics = split_multi(values)
    for t in topics:
        if not _TOPIC.match(t):
            raise Unprocessable(
                [field_error(["topic"], f"{t!r} is not a topic slug; see /v1/topics", "topic")]
            )
    return topics


# Parameters the cross-kind routes (search, timeline) share, described once.
CountryQuery = Annotated[
    list[str] | None, Query(description="ISO country codes; OR within.", examples=["KG"])
]
TopicQuery = Annotated[
    list[str] | None, Query(description="Topic slugs; OR within.", examples=["labour-migration"])
]
FromQuery = Annotated[
    str | None,
    Query(alias="from", max_length=10, description="On or after this year or date.", examples=["2012"]),
]
ToQuery = Annotated[
    str | None,
    Query(alias="to", max_length=10, description="On or before this year or date.", examples=["2015"]),
]

_DATETIME = TypeAdapter(dt.datetime)
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass
class ListParams:
    limit: int
    cursor: str | None
    countries: list[str]
    topics: list[str]
    statuses: list[str]
    publications: list[str]
    date_from: str | None
    date_to: str | None
    updated_since: dt.datetime | None
    q: str | None


async def list_params(
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
    country: Annotated[
        list[str] | None,
        Query(description="ISO country codes; repeat or comma-separate for OR.", examples=["KG,TJ"]),
    ] = None,
    topic: Annotated[
        list[str] | None,
        Query(
            description="Topic slugs (see `/v1/topics`); OR within, AND with other filters.",
            examples=["labour-migration"],
        ),
    ] = None,
    status: Annotated[list[str] | None, Query(description="Status values of this kind; OR within.")] = None,
    publication: Annotated[
        list[str] | None,
        Query(
            description="Editors only: draft, published, archived. The public sees published only.",
            examples=["published"],
        ),
    ] = None,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=10,
            description="On or after this year or date (the kind's main date).",
            examples=["2010"],
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", max_length=10, description="On or before this year or date.", examples=["2024-06"]),
    ] = None,
    updated_since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Only records changed at or after this RFC 3339 time.",
            examples=["2026-01-01T00:00:00Z"],
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=500, description="Words to find within this kind.", examples=["migration"]),
    ] = None,
) -> ListParams:
    countries = parse_countries(country)
    topics = parse_topics(topic)
    since = None
    if updated_since is not None:
        try:
            since = _DATETIME.validate_python(updated_since)
        except ValidationError as exc:
            raise Unprocessable(
                [field_error(["updated_since"], "use an RFC 3339 date-time", "datetime")]
            ) from exc
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        if not in_utc_range(since):
            raise Unprocessable(
                [field_error(["updated_since"], "use a time within the years 1-9999 in UTC", "datetime")]
            )
    return ListParams(
        limit=limit,
        cursor=cursor,
        countries=countries,
        topics=topics,
        statuses=split_multi(status),
        publications=check_choices(
            "publication", split_multi(publication), ["draft", "published", "archived"]
        ),
        date_from=check_partial_date("from", date_from),
        date_to=check_partial_date("to", date_to),
        updated_since=since,
        q=q.strip() or None if q else None,
    )


ListParamsDep = Annotated[ListParams, Depends(list_params)]


async def display_language(
    lang: Annotated[
        str | None,
        Query(
            description="Display language (en ru ky kk uz tg tk), or `all` for no display block. "
            "Falls back: asked → original → en → any. Default: Accept-Language, else en.",
            examples=["ru"],
            max_length=8,
        ),
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    if lang is not None:
        lang = lang.strip().lower()
        if lang != "all" and lang not in LANGUAGES:
            raise Unprocessable(
                [field_error(["lang"], f"use `all` or one of: {', '.join(LANGUAGES)}", "enum")]
            )
        return lang
    return negotiate(accept_language) or DEFAULT_LANGUAGE


LangDep = Annotated[str, Depends(display_language)]
