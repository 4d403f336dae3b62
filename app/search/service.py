"""One query over all kinds and languages: Meilisearch first, PostgreSQL when it is away."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Set as AbstractSet
from dataclasses import astuple
from typing import Any

from meilisearch_python_sdk.errors import MeilisearchApiError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.i18n import resolve
from app.core.observability import QUERY_VECTORS, SEARCH_DEGRADED
from app.core.services import AppServices
from app.search.analysis import highlight, words
from app.search.cache import SearchCache
from app.search.embedder import QueryEmbedder
from app.search.fallback import fallback_hit
from app.search.gate import FallbackGate
from app.search.hybrid import STABLE_PAGES, Counted, settled, stable_page
from app.search.index import DOCUMENT_ATTRIBUTES, FACET_NAMES, UNREACHABLE, IndexedHit, SearchIndex, parse_hit
from app.search.params import SearchParams
from app.search.query import Query, parse_query
from app.search.schemas import DocumentMatch, Hit, SearchResponse, Suggestion, SuggestResponse
from app.search.semantic import semantic_half
from app.search.spelling import respelled
from app.search.wordlike import has_language

log = logging.getLogger("migrantkb.search")

# Meilisearch's answer to a search in a field no document holds: the files' text (`in=documents`)
# on a base where no attachment has been extracted yet; that search finds nothing, it is not down.
NO_DOCUMENT_FIELD = "invalid_search_attributes_to_search_on"


def _snippet(hit: IndexedHit, lang: str, wanted: AbstractSet[str]) -> tuple[str | None, str | None]:
    """The summary to show: the first, in order of preference (the reader's language, the
    original, English, the rest), where the query's words occur, highlighted and cropped around
    them; else the most preferred one, cropped."""
    texts = hit.summaries
    if not texts:
        return None, None
    preferred = [lg for lg in (lang, hit.original_language, "en") if lg in texts]
    order = list(dict.fromkeys([*preferred, *texts]))
    first = None
    for lg in order:
        snippet, matched = highlight(texts[lg], wanted)
        if matched:
            return snippet, lg
        first = first or (snippet, lg)
    return first or (None, None)


def _facets(distribution: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    reverse = {v: k for k, v in FACET_NAMES.items()}
    return {reverse[name]: dict(counts) for name, counts in (distribution or {}).items()}


def _suggestion(row: dict[str, Any], lang: str) -> Suggestion:
    title = resolve(row.get("title"), lang, row.get("original_language"))[0]
    return Suggestion(kind=row["kind"], id=row["id"], slug=row["slug"], title=title or row["slug"])


class SearchService:
    def __init__(
        self,
        index: SearchIndex | None,
        session: AsyncSession,
        *,
        embedder: QueryEmbedder | None = None,
        semantic_ratio: float = 0.5,
        semantic_floor: float = 0.0,
        settle_score: float | None = None,
        settle_margin: float | None = None,
        vector_early: bool = True,
        cache: SearchCache | None = None,
        gate: FallbackGate | None = None,
    ) -> None:
        self.index = index
        self.session = session
        self.embedder = embedder
        self.semantic_ratio = semantic_ratio
        self.semantic_floor = semantic_floor
        self.settle_score = settle_score
        self.settle_margin = settle_margin
        self.vector_early = vector_early
        self.cache = cache
        self.gate = gate or FallbackGate(concurrency=4, seconds=5.0)

    @classmethod
    def of(cls, services: AppServices, session: AsyncSession, *, hybrid: bool = True) -> SearchService:
        """The app's search as configured: what `/v1/search`, the pages and the feed all ask.
        `hybrid=False` is keyword matching only, without the answer cache (its answers are the
        hybrid ones) and without a query vector."""
        settings = services.settings
        if not hybrid:
            return cls(services.search, session, gate=services.search_gate)
        return cls(
            services.search,
            session,
            embedder=services.embedder,
            semantic_ratio=settings.search_semantic_ratio,
            semantic_floor=settings.search_semantic_floor,
            settle_score=settings.search_settle_score,
            settle_margin=settings.search_settle_margin,
            vector_early=settings.search_vector_early,
            cache=services.search_cache,
            gate=services.search_gate,
        )

    async def search(self, params: SearchParams, lang: str) -> SearchResponse:
        started = time.perf_counter()
        if self.index is not None:
            key = (*(tuple(v) if isinstance(v, list) else v for v in astuple(params)), lang)
            if self.cache is not None and (cached := self.cache.get(key)) is not None:
                return cached
        query = parse_query(params.q)  # once per request: Meilisearch, the fallback and the snippets
        if self.index is not None:
            try:
                result = await self._meili(params, query, lang)
                SEARCH_DEGRADED.set(0)
                if self.cache is not None:
                    self.cache.put(key, result)
                return result
            except UNREACHABLE as exc:
                log.warning("search degraded: %s: %s", exc.__class__.__name__, exc)
        SEARCH_DEGRADED.set(1)
        rows, total, facets = await self.gate.search(self.session, params, query)
        hits = [fallback_hit(r, lang, query.wanted) for r in rows]
        return SearchResponse(
            query=params.q,
            total=total,
            hits=hits,
            facets=facets,
            processing_ms=int((time.perf_counter() - started) * 1000),
            degraded=True,
        )

    async def _meili(self, params: SearchParams, query: Query, lang: str) -> SearchResponse:
        """The page from the ranking of the first offset + limit places. A ranking depends on its
        window (the keyword hits it reads, whether it needs the vector): page 2 alone repeated a
        record of page 1 for 32 of 262 queries on the seed. A page at a multiple of `limit` is now
        what its ranking holds that the pages before did not show (hybrid.stable_page)."""
        window = params.offset + params.limit
        pages = params.offset // params.limit + 1
        if params.offset % params.limit or pages > STABLE_PAGES:
            pages = 1  # past them, or off their grid: the window's ranking alone
        windows = [window - params.limit * k for k in range(pages - 1, -1, -1)]
        *before, (hits, counted, first, ms) = await asyncio.gather(
            *(self._ranked(params, query, w, count=w == window) for w in windows)
        )
        shown = (
            stable_page([*(b[0] for b in before), hits], params.limit) if before else hits[params.offset :]
        )
        page = [self._hit(parse_hit(h), lang, query.wanted) for h in shown[: params.limit]]
        # Never fewer than shown; a page past the end shows nothing and says only what there is.
        total = max(counted.total, params.offset + len(page)) if page else counted.total
        return SearchResponse(
            query=params.q,
            total=total,
            hits=page,
            facets=counted.facets,
            processing_ms=ms,
            degraded=False,
            suggestion=await self._respelled(params, first) if total == 0 else None,
        )

    async def _ranked(
        self, params: SearchParams, query: Query, window: int, *, count: bool = True
    ) -> tuple[list[Any], Counted, Any, int]:
        """The first `window` places: the keyword half first (the query's vector computed
        meanwhile with SEARCH_VECTOR_EARLY); the semantic half (app/search/semantic.py) only where
        it can change them (app/search/hybrid.py). The keyword half asks in exhaustive mode
        (`page`, `hitsPerPage`): only there do the total and the facet counts apply the distinct
        attribute, counting records; with `limit`/`offset` they count documents beyond the hits
        returned (each page of an attached file), so a law with a long PDF counted as a thousand."""
        assert self.index is not None
        text = query.text
        keyword = self.index.params(
            query=text,
            filter=params.meili_filter() or None,
            # When not every word matches, Meilisearch drops words from the end. The query puts the
            # concepts it names first; the other words follow as typed and go first, so a word no
            # record contains (a language the base does not hold) does not empty the result.
            matching_strategy="last",
            attributes_to_search_on=DOCUMENT_ATTRIBUTES if params.scope == "documents" else None,
            limit=window,
            offset=0,
            show_ranking_score=True,
        )
        # The hits, the total and the facets in one search: the first page of `window` hits in
        # exhaustive mode (the same hits and scores as `limit`; identical answers on 150 new
        # queries) costs Meilisearch 3.8 ms of CPU where a count and a ranked search cost 5.3
        # (bare search 3.6).
        first = keyword.model_copy(
            update={
                "facets": [FACET_NAMES[f] for f in params.facets],
                "limit": None,
                "offset": None,
                "page": 1,
                "hits_per_page": window,
            }
        )
        semantic = (
            text
            and self.embedder is not None
            and params.scope == "all"
            and self.semantic_ratio > 0
            and has_language(params.q)
        )
        embedder = self.embedder if semantic else None
        # Early: the vector is computed while the keyword half runs (sooner when a core is free);
        # otherwise only once the keyword half has shown it is needed.
        vector = embedder.request(params.q) if embedder is not None and self.vector_early else None
        try:
            (result,) = await self.index.multi_search([first])
        except MeilisearchApiError as exc:
            if params.scope == "documents" and exc.code == NO_DOCUMENT_FIELD:
                return [], Counted(0, {f: {} for f in params.facets}), first, 0  # no file text indexed yet
            raise
        except BaseException:
            if embedder is not None and vector is not None:
                embedder.withdraw(params.q, vector)
            raise
        counted = Counted(total=result.total_hits or 0, facets=_facets(result.facet_distribution))
        hits = list(result.hits)
        if embedder is not None:
            if settled(hits, window, self.semantic_ratio, self.settle_score, self.settle_margin):
                if count:
                    QUERY_VECTORS.labels("settled").inc()
                if vector is not None:
                    embedder.withdraw(params.q, vector)
            else:
                if count:
                    QUERY_VECTORS.labels("needed").inc()
                if vector is None or vector.cancelled():  # another asker of the query withdrew it
                    vector = embedder.request(params.q)
                embedder.confirm(params.q)
                hits = await semantic_half(
                    self.index,
                    params,
                    keyword,
                    await asyncio.shield(vector),
                    hits,
                    counted,
                    ratio=self.semantic_ratio,
                    floor=self.semantic_floor,
                )
        return hits, counted, first, result.processing_time_ms

    async def _respelled(self, params: SearchParams, count: Any) -> str | None:
        """A close spelling of a query that found nothing, if that finds records (app/search/spelling.py)."""
        assert self.index is not None
        other = respelled(params.q)
        if other is None:
            return None
        (found,) = await self.index.multi_search(
            [count.model_copy(update={"query": parse_query(other).text, "facets": None, "hits_per_page": 0})]
        )
        return other if found.total_hits else None

    def _hit(self, h: IndexedHit, lang: str, wanted: frozenset[str]) -> Hit:
        title, title_lang = resolve(h.title, lang, h.original_language)
        snippet, snippet_lang = _snippet(h, lang, wanted)
        document = None
        if h.document is not None:
            text = h.document.text
            document = DocumentMatch(
                attachment=h.document.attachment,
                page=h.document.page,
                snippet=highlight(text, wanted)[0] if text else None,
            )
        return Hit(
            kind=h.kind,
            id=h.record_id,
            slug=h.slug,
            title=title or h.slug,
            title_lang=title_lang,
            snippet=snippet,
            snippet_lang=snippet_lang,
            countries=h.countries,
            topics=h.topics,
            status=h.status,
            date=h.date,
            score=h.score,
            document=document,
        )

    async def suggest(self, q: str, limit: int, lang: str) -> SuggestResponse:
        if self.index is not None:
            try:
                found: dict[str, dict[str, Any]] = {}
                # Acronyms and numbers first (typing "UNHC" means the agency), then titles.
                for attributes in (["codes"], ["titles"]):
                    for h in await self.index.suggest(" ".join(words(q)), attributes, limit):
                        found.setdefault(h["id"], h)
                return SuggestResponse(
                    query=q,
                    suggestions=[_suggestion(h, lang) for h in list(found.values())[:limit]],
                    degraded=False,
                )
            except UNREACHABLE as exc:
                log.warning("suggest degraded: %s: %s", exc.__class__.__name__, exc)
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
        rows, _, _ = await self.gate.search(self.session, params, parse_query(q))
        return SuggestResponse(query=q, suggestions=[_suggestion(r, lang) for r in rows], degraded=True)
