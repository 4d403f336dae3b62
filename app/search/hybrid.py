"""The two halves of a search, merged here rather than inside Meilisearch.

The keyword half is asked at once; the query's vector is computed meanwhile. The semantic half
(a vector search) then runs only where it can change the page: Meilisearch's own hybrid ranking
weighs a keyword hit's score by 1 − ratio and a semantic hit's similarity by ratio, so when the
page's last keyword hit already scores at least ratio / (1 − ratio), no semantic hit can enter the
page and the vector is not needed (`settled`). Otherwise both lists are merged the same way
Meilisearch merges them (`merge`), with one rule Meilisearch lacks: a hit found by meaning alone
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


def settled(
    keyword_hits: Sequence[Mapping[str, Any]], window: int, ratio: float, enough: float | None = None
) -> bool:
    """True when the keyword hits fill the first `window` places and the last of them scores at
    least `enough`; by default ratio / (1 − ratio), where no semantic hit could rank among them."""
    if ratio <= 0:
        return True
    if ratio >= 1 or len(keyword_hits) < window or window == 0:
        return False
    if enough is None:
        return (1 - ratio) * _score(keyword_hits[window - 1]) >= ratio
    return _score(keyword_hits[window - 1]) >= enough


def merge(
    keyword_hits: Sequence[Mapping[str, Any]],
    semantic_hits: Sequence[Mapping[str, Any]],
    ratio: float,
) -> list[Mapping[str, Any]]:
    """Both lists by weighted score, each record once (where it scores higher), as Meilisearch's
    hybrid search does; ties keep the keyword hit first."""
    weighted = [((1 - ratio) * _score(h), 0, i, h) for i, h in enumerate(keyword_hits)]
    weighted += [(ratio * _score(h), 1, i, h) for i, h in enumerate(semantic_hits)]
    weighted.sort(key=lambda t: (-t[0], t[1], t[2]))
    seen: set[str] = set()
    out = []
    for *_, h in weighted:
        rid = hit_record(h)
        if rid not in seen:
            seen.add(rid)
            out.append(h)
    return out


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
