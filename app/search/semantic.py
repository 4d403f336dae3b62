"""The semantic half of a hybrid search: the records a query's vector finds, fused with its keyword
hits (app/search/hybrid.py), for the queries the keyword half did not settle (app/search/service.py).

A semantic hit not among the keyword hits fetched may still match the words further down the
keyword list. When that list was cut, the same call also asks the next DEEPER keyword matches
(their ids and scores only), so such a record ranks with its keyword score too and is not counted
twice. Only a semantic hit beyond those (a keyword list longer than the page and DEEPER together)
needs one more keyword search, limited to those records. Measured on the seed: the third call went
from 46 of 198 new queries to none. Asking the deeper matches beside the vector instead (they need
none) made no difference that showed: two servers on one base, the 70 queries of the judged and
generated set that need their vector, three rounds interleaved, p50 14.6 ms with it and 14.4
without (2026-12-07): left out.
"""

from __future__ import annotations

from typing import Any

from meilisearch_python_sdk.models.search import Hybrid
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


async def semantic_half(
    index: SearchIndex,
    params: SearchParams,
    keyword: MeiliSearchParams,
    vector: list[float],
    keyword_hits: list[Any],
    counted: Counted,
    *,
    ratio: float,
    floor: float,
) -> list[Any]:
    """The vector search (the nearest NEAREST records at or above `floor`) and, in the same call,
    the keyword hits' own similarities, fused with the keyword hits; the records it adds are
    counted in `counted`."""
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
    cut = counted.total > len(keyword_hits)
    if cut:  # the next DEEPER keyword matches: their ids and scores
        searches.append(
            keyword.model_copy(
                update={
                    "offset": len(keyword_hits),
                    "limit": DEEPER,
                    "attributes_to_retrieve": RECORD_ID_ONLY,
                }
            )
        )
    found, *more = await index.multi_search(searches)
    sims = more[:1] if known else []
    deep = more[-1] if cut else None
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
