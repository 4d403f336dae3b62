"""The semantic half of a hybrid search: the records a query's vector finds, fused with its keyword
hits (app/search/hybrid.py), for the queries the keyword half did not settle (app/search/service.py).

A semantic hit not among the keyword hits fetched may still match the words further down the
keyword list. When that list was cut, the next DEEPER keyword matches are asked too (their ids and
scores only), so such a record ranks with its keyword score as well and is not counted twice. That
search needs no vector: the service starts it while the vector is computed (`deeper`), and passes
it here. Only a semantic hit beyond those (a keyword list longer than the page and DEEPER together)
needs one more keyword search, limited to those records. Measured on the seed: the third call went
from 46 of 198 new queries to none; asked beside the vector instead of after it, the call that
follows the vector went from three searches to two (p50 6.8 ms to 4.6 on the seed plus the holdout
records, one at a time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from meilisearch_python_sdk.models.search import Hybrid, SearchResultsWithUID
from meilisearch_python_sdk.models.search import SearchParams as MeiliSearchParams

from app.search.hybrid import Counted, fuse, semantic_only
from app.search.index import (
    EMBEDDER,
    RECORD_ID_ONLY,
    SearchIndex,
    hit_record,
    is_stub,
    own_parts_filter,
    records_filter,
)
from app.search.params import SearchParams

NEAREST = 50  # records asked of the vector search at least
DEEPER = 100  # keyword matches below the page whose ids a hybrid search asks beside the vector search


def deeper_search(keyword: MeiliSearchParams, keyword_hits: list[Any]) -> MeiliSearchParams:
    """The next DEEPER keyword matches after those fetched: their ids and scores."""
    return keyword.model_copy(
        update={"offset": len(keyword_hits), "limit": DEEPER, "attributes_to_retrieve": RECORD_ID_ONLY}
    )


async def semantic_half(
    index: SearchIndex,
    params: SearchParams,
    keyword: MeiliSearchParams,
    vector: list[float],
    keyword_hits: list[Any],
    counted: Counted,
    *,
    deeper: Awaitable[list[SearchResultsWithUID[Any]]] | None,
    ratio: float,
    floor: float,
) -> list[Any]:
    """The vector search (the nearest NEAREST records at or above `floor`) and, in the same call,
    the keyword hits' own similarities, fused with the keyword hits; the records it adds are
    counted in `counted`. `deeper`: the `deeper_search` already asked, when the keyword list was
    cut (more matches than fetched)."""
    search = keyword.model_copy(
        update={
            "query": None,
            "vector": vector,
            "hybrid": Hybrid(embedder=EMBEDDER, semantic_ratio=1.0),
            "ranking_score_threshold": floor,
            "attributes_to_search_on": None,
            # Nearer records than the page holds: keyword matches among them (found further down
            # a list of ties) are ranked by their similarity too.
            "limit": max(keyword.limit or 0, NEAREST),
        }
    )
    # The keyword matches' own similarities (below the floor too), in the same call.
    known = list(dict.fromkeys(map(hit_record, keyword_hits)))
    searches = [search]
    if known:
        own = search.model_copy(
            update={
                "filter": [*params.meili_filter(), own_parts_filter(known)],
                "limit": len(known),
                "ranking_score_threshold": None,
                "attributes_to_retrieve": RECORD_ID_ONLY,
            }
        )
        searches.append(own)
    if deeper is not None:
        (found, *sims), (deep,) = await asyncio.gather(index.multi_search(searches), deeper)
    else:
        (found, *sims), deep = await index.multi_search(searches), None
    nearest = [h for h in found.hits if not is_stub(h)]
    similarity = {hit_record(h): float(h.get("_rankingScore") or 0.0) for s in sims for h in s.hits}
    extra = semantic_only(nearest, known)
    if extra and deep is not None:
        scores = {hit_record(h): h.get("_rankingScore") for h in deep.hits}
        # Found further down the keyword list: the semantic hit's document, its keyword score.
        keyword_hits = [
            *keyword_hits,
            *({**h, "_rankingScore": scores[hit_record(h)]} for h in extra if hit_record(h) in scores),
        ]
        extra = [h for h in extra if hit_record(h) not in scores]
        if extra and counted.total > len(known) + len(scores):
            ids = [hit_record(h) for h in extra]
            check = keyword.model_copy(
                update={
                    "filter": [*params.meili_filter(), records_filter(ids)],
                    "limit": len(ids),
                    "offset": 0,
                }
            )
            (matched,) = await index.multi_search([check])
            keyword_hits = [*keyword_hits, *matched.hits]  # with their keyword scores
            extra = semantic_only(extra, map(hit_record, matched.hits))
    counted.add(extra, params.facets)
    return fuse(keyword_hits, nearest, similarity, ratio)
