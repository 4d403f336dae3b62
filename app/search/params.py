"""Search parameters, validated so that nothing a user types can change a filter's meaning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query

from app.records.params import (
    CountryQuery,
    FromQuery,
    TopicQuery,
    ToQuery,
    check_choices,
    check_partial_date,
    parse_countries,
    parse_topics,
    split_multi,
)
from app.registry import KINDS, SPECS
from app.search.index import FACET_NAMES, filters

# Every kind's statuses, from the registry.
STATUSES = sorted({status for spec in SPECS for status in spec.statuses})


@dataclass
class SearchParams:
    q: str
    kinds: list[str]
    countries: list[str]
    topics: list[str]
    statuses: list[str]
    year_from: int | None
    year_to: int | None
    limit: int
    offset: int
    facets: list[str]
    # "all": records by their own fields and by the text of their files; "documents": file text only.
    scope: str = "all"

    def meili_filter(self) -> list[str | list[str]]:
        return filters(
            self.kinds,
            self.countries,
            self.topics,
            self.statuses,
            self.year_from,
            self.year_to,
            documents_only=self.scope == "documents",
        )


async def search_params(
    q: Annotated[
        str,
        Query(
            max_length=500,
            description="Words in any of the base's languages or scripts, typos welcome.",
            examples=["закон о внешней миграции"],
        ),
    ] = "",
    kind: Annotated[list[str] | None, Query(description=", ".join(KINDS) + ".", examples=["law"])] = None,
    country: CountryQuery = None,
    topic: TopicQuery = None,
    status: Annotated[
        list[str] | None, Query(description="Status values of any kind.", examples=["in_force"])
    ] = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    limit: Annotated[
        int, Query(ge=1, le=100, description="Hits per page (at most 100).", examples=[10])
    ] = 10,
    offset: Annotated[int, Query(ge=0, le=9900, description="Hits to skip.", examples=[0])] = 0,
    facets: Annotated[
        list[str] | None,
        Query(
            description="Facets to count: kind, country, topic, status, year (default all).",
            examples=["kind,country"],
        ),
    ] = None,
    scope: Annotated[
        Literal["all", "documents"],
        Query(
            alias="in",
            description=(
                "`all` (default): records by their own fields and by the words inside their attached "
                "documents; `documents`: inside attached documents only."
            ),
            examples=["documents"],
        ),
    ] = "all",
) -> SearchParams:
    countries = parse_countries(country)
    topics = parse_topics(topic)
    start, end = check_partial_date("from", date_from), check_partial_date("to", date_to)
    return SearchParams(
        q=q.strip(),
        kinds=check_choices("kind", split_multi(kind), list(KINDS)),
        countries=countries,
        topics=topics,
        statuses=check_choices("status", split_multi(status), STATUSES),
        year_from=int(start[:4]) if start else None,
        year_to=int(end[:4]) if end else None,
        limit=limit,
        offset=offset,
        facets=check_choices("facets", split_multi(facets), list(FACET_NAMES)) or list(FACET_NAMES),
        scope=scope,
    )


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]
