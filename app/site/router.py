"""The pages for people at `/{lang}/…` (kept out of the OpenAPI document: they are not API): the
home page with its search form, search, a record, the timeline. Each calls the service its JSON
route calls, in the same process, and links that JSON route. `/` answers in the language the
browser asks for. Unknown languages, kinds and records are HTML 404 pages; a request under /v1
keeps its problem+json 404 (these routes take only a two-letter first segment)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from app.core.db import SessionDep
from app.core.errors import AppError, NotFound
from app.core.i18n import LANGUAGES
from app.core.services import public_origin
from app.reference.repository import ReferenceRepository
from app.registry import SPECS
from app.site import indicator as indicator_page
from app.site import record as record_page
from app.site import search as search_page
from app.site import timeline as timeline_page
from app.site.render import query_string, render
from app.site.texts import kind_name, pick_language, texts


class LanguageSegment(Convertor[str]):
    """A path's first segment that may be a language: two letters. Other paths (`/v1/…`, `/docs`,
    `/metrics`) never reach these routes, so the API keeps its own 404s and 405s."""

    regex = "[a-z]{2}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("lang", LanguageSegment())
router = APIRouter(include_in_schema=False)
SPEC_BY_PLURAL = {spec.plural: spec for spec in SPECS}


def problem_page(request: Request, lang: str, exc: AppError, path: str) -> Response:
    t = texts(lang)
    not_found = exc.status == 404
    heading = t["not_found"] if not_found else t["busy"] if exc.status == 503 else t["bad_request"]
    detail = t["not_found_detail"] if not_found else str(getattr(exc, "detail", "") or exc.title)
    return render(
        request,
        "error.html",
        lang,
        path=path,
        title=heading,
        description=heading,
        status_code=exc.status,
        heading=heading,
        detail=detail,
        headers={"Cache-Control": "no-store"},
    )


def _unknown(request: Request, lang: str) -> Response:
    """A two-letter segment that is not one of our languages: an HTML 404 in the reader's language."""
    chosen = pick_language(request.headers.get("accept-language"))
    return problem_page(request, chosen, NotFound("No such page."), "/")


async def _home(request: Request, lang: str) -> Response:
    t = texts(lang)
    kinds = [{"kind": spec.kind, "name": kind_name(spec.kind, lang)} for spec in SPECS]
    return render(
        request,
        "home.html",
        lang,
        path="/",
        title=t["search_label"],
        description=t["tagline"],
        api=f"/v1/search?lang={lang}",
        api_label=t["as_json"],
        kinds=kinds,
    )


@router.get("/")
async def home(request: Request) -> Response:
    return await _home(request, pick_language(request.headers.get("accept-language")))


@router.get("/{lang:lang}")
@router.get("/{lang:lang}/")
async def home_in(request: Request, lang: str) -> Response:
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    return await _home(request, lang)


@router.get("/{lang:lang}/search")
async def search(request: Request, lang: str, session: SessionDep) -> Response:
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    t = texts(lang)
    try:
        params = await search_page.parse(request.query_params)
        service = search_page.service(request, session)
        result = await service.search(params, lang)
    except AppError as exc:
        return problem_page(request, lang, exc, "/search")
    topics = await ReferenceRepository(session).topic_labels()
    context = search_page.context(lang, params, result, topics)
    canonical = search_page.canonical(params)
    if params.offset:
        canonical.append(("offset", str(params.offset)))
    suggestion, similar = None, []
    if not result.hits and params.q:
        if result.suggestion:  # given by search when it has a close spelling
            spelled = result.suggestion
            suggestion = {"text": spelled, "href": f"/{lang}/search?" + query_string([("q", spelled)])}
        try:
            found = await service.suggest(params.q[:100], 5, lang)
            similar = [
                {"title": s.title, "href": record_page.page_of(s.kind, s.slug, lang)}
                for s in found.suggestions
            ]
        except AppError:
            similar = []
    description = t["search_title"].format(q=params.q) if params.q else t["tagline"]
    api_query = query_string([*canonical, ("lang", lang)])
    return render(
        request,
        "search.html",
        lang,
        path="/search",
        query=canonical,
        title=t["search_title"].format(q=params.q) if params.q else t["search_all"],
        description=f"{description} — {t['results'].format(n=result.total)}",
        api=f"/v1/search?{api_query}",
        api_label=t["as_json"],
        feed=f"/v1/feeds/search.atom?{search_page.feed_query(params, lang)}",
        suggestion=suggestion,
        similar=similar,
        headers={"X-Search-Degraded": "true" if result.degraded else "false"},
        **context,
    )


@router.get("/{lang:lang}/timeline")
async def timeline(request: Request, lang: str, session: SessionDep) -> Response:
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    t = texts(lang)
    topics = await ReferenceRepository(session).topic_labels()
    try:
        context = await timeline_page.page(session, request.query_params, lang, topics)
    except AppError as exc:
        return problem_page(request, lang, exc, "/timeline")
    return render(
        request,
        "timeline.html",
        lang,
        path="/timeline",
        query=context.pop("canonical"),
        title=t["timeline"],
        description=t["timeline_intro"],
        api=f"/v1/timeline?{context.pop('api_query')}",
        api_label="JSON",
        **context,
    )


@router.get("/{lang:lang}/indicators")
async def indicators(request: Request, lang: str, session: SessionDep) -> Response:
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    t = texts(lang)
    listed = await indicator_page.listing(session, lang)
    return render(
        request,
        "indicators.html",
        lang,
        path="/indicators",
        title=t["indicators"],
        description=t["indicators_intro"],
        api=f"/v1/indicators?lang={lang}&limit={indicator_page.LIST_SIZE}",
        api_label="JSON",
        indicators=listed,
    )


@router.get("/{lang:lang}/indicators/{key}")
async def indicator(request: Request, lang: str, key: str, session: SessionDep) -> Response:
    """An indicator's own page (the record route would show it as a generic record)."""
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    try:
        out = await indicator_page.read(session, key, lang)
        table = await indicator_page.observations(session, out, request.query_params, lang)
    except AppError as exc:
        return problem_page(request, lang, exc, f"/indicators/{key}")
    topics = await ReferenceRepository(session).topic_labels()
    context = indicator_page.context(out, table, lang, topics)
    definition = context["definition"]
    return render(
        request,
        "indicator.html",
        lang,
        path=f"/indicators/{out['slug']}",
        query=context.pop("canonical"),
        title=context["heading"]["text"],
        description=(definition["text"] if definition else context["heading"]["text"])[:300],
        api=f"/v1/indicators/{out['slug']}?lang={lang}",
        api_label=texts(lang)["api_record"],
        **context,
    )


@router.get("/{lang:lang}/{plural}/{key}")
async def record(request: Request, lang: str, plural: str, key: str, session: SessionDep) -> Response:
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    spec = SPEC_BY_PLURAL.get(plural)
    if spec is None:
        return problem_page(request, lang, NotFound("No such kind."), f"/{plural}/{key}")
    q = request.query_params.get("q", "")[:500]
    try:
        out = await record_page.read(session, spec, key, lang)
        files = await record_page.attachments(session, spec, out, q)
    except AppError as exc:
        return problem_page(request, lang, exc, f"/{plural}/{key}")
    topics = await ReferenceRepository(session).topic_labels()
    path = f"/{plural}/{out['slug']}"
    permalink = f"{public_origin(request)}/{lang}{path}"
    context: dict[str, Any] = record_page.context(spec, out, lang, topics, permalink)
    summary = context["summary"]["text"] if context["summary"] else context["heading"]["text"]
    return render(
        request,
        "record.html",
        lang,
        path=path,
        title=context["heading"]["text"],
        description=summary[:300],
        api=f"/v1/{plural}/{out['slug']}?lang={lang}",
        api_label=texts(lang)["api_record"],
        attachments=files,
        q=q,
        **context,
    )


@router.get("/{lang:lang}/{rest:path}")
async def elsewhere(request: Request, lang: str, rest: str) -> Response:
    if lang not in LANGUAGES:
        return _unknown(request, lang)
    return problem_page(request, lang, NotFound("No such page."), "/")
