from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.db import SessionDep
from app.core.errors import Busy, SearchUnavailable, Unprocessable
from app.core.http import json_response
from app.core.routing import problem_responses
from app.core.services import services_of
from app.records.params import LangDep
from app.search.params import SearchParamsDep
from app.search.schemas import SearchResponse, SuggestResponse
from app.search.service import SearchService

router = APIRouter(prefix="/search", tags=["Search"])


def _service(request: Request, session: SessionDep) -> SearchService:
    return SearchService.of(services_of(request), session)


def _headers(degraded: bool, lang: str) -> dict[str, str]:
    return {"X-Search-Degraded": "true" if degraded else "false", "Content-Language": lang}


@router.get(
    "",
    name="search",
    summary=(
        "Search laws, policies, programs, organizations, events, publications and indicators in any language"
    ),
    description=(
        "One ranked list over all kinds and all languages, typo-tolerant. Type in Russian, English, "
        "Kyrgyz, Kazakh, Uzbek (Latin or Cyrillic), Tajik or Turkmen; Cyrillic words typed in Latin "
        "letters (`zakon o vneshnei migratsii`) or without special letters (`казак` for `қазақ`) are "
        "found too. Examples: `закон о внешней миграции`, `Тышкы миграция`, `oʻzbekiston mehnat`, "
        "`муҳоҷират`, `refugees Kazakhstan`. Narrow with `kind`, `country`, `topic`, `status`, `from`, `to`."
    ),
    response_model=SearchResponse,
    responses=problem_responses(Unprocessable, Busy, SearchUnavailable),
)
async def search(request: Request, session: SessionDep, params: SearchParamsDep, lang: LangDep) -> Response:
    display = "en" if lang == "all" else lang
    result = await _service(request, session).search(params, display)
    return json_response(request, result, headers=_headers(result.degraded, display))


@router.get(
    "/suggest",
    name="suggest",
    summary="Complete titles, organization names and acronyms as the user types",
    response_model=SuggestResponse,
    responses=problem_responses(Unprocessable, Busy, SearchUnavailable),
)
async def suggest(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    q: Annotated[
        str,
        Query(
            min_length=1, max_length=100, description="The start of a title or name.", examples=["Internat"]
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many suggestions.", examples=[8])] = 8,
) -> Response:
    display = "en" if lang == "all" else lang
    result = await _service(request, session).suggest(q, limit, display)
    return json_response(request, result, headers=_headers(result.degraded, display))
