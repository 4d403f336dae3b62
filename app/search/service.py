"""One query over all kinds and languages: Meilisearch first, PostgreSQL when it is away."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.i18n import resolve
from app.core.observability import SEARCH_DEGRADED
from app.core.text import fold
from app.search.fallback import fallback_search
from app.search.params import FACET_NAMES, SearchParams
from app.search.schemas import Hit, SearchResponse, Suggestion, SuggestResponse

log = logging.getLogger("migrantkb.search")
UNREACHABLE = (
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
    MeilisearchApiError,
    httpx.HTTPError,
    OSError,
)


def query_text(q: str) -> str:
    """The query as the index folds text: special letters to their Russian-keyboard forms,
    apostrophes dropped. Meilisearch still matches the original forms through the synonyms."""
    return fold(q)


def _snippet(hit: dict[str, Any], lang: str) -> tuple[str | None, str | None]:
    langs: list[str] = hit.get("summary_langs") or []
    formatted = (hit.get("_formatted") or {}).get("summaries") or []
    candidates = [(langs[i], formatted[i]) for i in range(min(len(langs), len(formatted)))]
    if not candidates:
        return None, None
    matched = [(lg, text) for lg, text in candidates if "<em>" in text]
    pool = matched or candidates
    for lg, text in pool:
        if lg == lang:
            return text, lg
    original = hit.get("original_language")
    for lg, text in pool:
        if lg in (original, "en"):
            return text, lg
    return pool[0][1], pool[0][0]


def _suggestion(row: dict[str, Any], lang: str) -> Suggestion:
    title = resolve(row.get("title"), lang, row.get("original_language"))[0]
    return Suggestion(kind=row["kind"], id=row["id"], slug=row["slug"], title=title or row["slug"])


class SearchService:
    def __init__(self, client: AsyncClient | None, index_uid: str, session: AsyncSession) -> None:
        self.client = client
        self.index_uid = index_uid
        self.session = session

    async def search(self, params: SearchParams, lang: str) -> SearchResponse:
        started = time.perf_counter()
        if self.client is not None:
            try:
                result = await self._meili(params, lang)
                SEARCH_DEGRADED.set(0)
                return result
            except UNREACHABLE as exc:
                log.warning("search degraded: %s", exc.__class__.__name__)
        SEARCH_DEGRADED.set(1)
        rows, total, facets = await fallback_search(self.session, params)
        hits = [
            Hit(
                kind=r["kind"],
                id=r["id"],
                slug=r["slug"],
                title=resolve(r["title"], lang, r["original_language"])[0] or r["slug"],
                title_lang=resolve(r["title"], lang, r["original_language"])[1],
                snippet=resolve(r["summary"], lang, r["original_language"])[0],
                snippet_lang=resolve(r["summary"], lang, r["original_language"])[1],
                countries=r["countries"],
                topics=r["topics"],
                status=r["status"],
                date=r["date"],
                score=float(r["score"]),
            )
            for r in rows
        ]
        return SearchResponse(
            query=params.q,
            total=total,
            hits=hits,
            facets=facets,
            processing_ms=int((time.perf_counter() - started) * 1000),
            degraded=True,
        )

    async def _meili(self, params: SearchParams, lang: str) -> SearchResponse:
        assert self.client is not None
        index = self.client.index(self.index_uid)
        common: dict[str, Any] = {
            "filter": params.meili_filter() or None,
            "attributes_to_crop": ["summaries"],
            "crop_length": 28,
            "attributes_to_highlight": ["summaries"],
            "show_ranking_score": True,
        }
        result = await index.search(
            query_text(params.q),
            limit=params.limit,
            offset=params.offset,
            facets=[FACET_NAMES[f] for f in params.facets],
            matching_strategy="last",
            **common,
        )
        found = list(result.hits)
        if len(found) < params.limit and params.offset == 0 and len(params.q.split()) > 2:
            # "last" drops words from the end only; a record matching just a middle word (a long
            # query in one language, the record in another) would be lost. Fill the page with
            # records matching the rarest words, ranked after the full matches.
            more = await index.search(
                query_text(params.q), limit=params.limit, matching_strategy="frequency", **common
            )
            seen = {h["id"] for h in found}
            found += [h for h in more.hits if h["id"] not in seen][: params.limit - len(found)]
        hits = []
        for h in found:
            title, title_lang = resolve(h.get("title"), lang, h.get("original_language"))
            snippet, snippet_lang = _snippet(h, lang)
            hits.append(
                Hit(
                    kind=h["kind"],
                    id=h["id"],
                    slug=h["slug"],
                    title=title or h["slug"],
                    title_lang=title_lang,
                    snippet=snippet,
                    snippet_lang=snippet_lang,
                    countries=h.get("countries") or [],
                    topics=h.get("topics") or [],
                    status=h.get("status"),
                    date=h.get("date"),
                    score=h.get("_rankingScore"),
                )
            )
        reverse = {v: k for k, v in FACET_NAMES.items()}
        facets = {reverse[name]: counts for name, counts in (result.facet_distribution or {}).items()}
        return SearchResponse(
            query=params.q,
            total=max(result.estimated_total_hits or 0, len(hits)),
            hits=hits,
            facets=facets,
            processing_ms=result.processing_time_ms,
            degraded=False,
        )

    async def suggest(self, q: str, limit: int, lang: str) -> SuggestResponse:
        if self.client is not None:
            try:
                index = self.client.index(self.index_uid)
                fields = ["id", "kind", "slug", "title", "original_language"]
                found: dict[str, dict[str, Any]] = {}
                # Acronyms and numbers first (typing "UNHC" means the agency), then titles.
                for attributes in (["codes"], ["titles"]):
                    result = await index.search(
                        query_text(q),
                        limit=limit,
                        attributes_to_search_on=attributes,
                        attributes_to_retrieve=fields,
                    )
                    for h in result.hits:
                        found.setdefault(h["id"], h)
                return SuggestResponse(
                    query=q,
                    suggestions=[_suggestion(h, lang) for h in list(found.values())[:limit]],
                    degraded=False,
                )
            except UNREACHABLE as exc:
                log.warning("suggest degraded: %s", exc.__class__.__name__)
        params = SearchParams(
            q=q,
            kinds=[],
            countries=[],
            topics=[],
            statuses=[],
            year_from=None,
            year_to=None,
            limit=limit,
            offset=0,
            facets=[],
        )
        rows, _, _ = await fallback_search(self.session, params)
        return SuggestResponse(query=q, suggestions=[_suggestion(r, lang) for r in rows], degraded=True)
