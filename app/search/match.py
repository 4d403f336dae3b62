"""Whether one record matches a search's words, decided without the index: for a subscription
that follows a search (a webhook's `q`), at the moment a change is delivered, which may come
before the indexer has filed the change. The same analysis as the index (app/search/analysis.py):
every word of the query, as a term (any inflection, script or romanisation), is in the record's
titles, summaries or the labels of its topics in any language, or names a concept (a country,
a kind, a glossary group) that the record names or is tagged with. Stricter than the ranked
search, which may drop a last word that nothing contains: a feed should carry only what matches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.search.analysis import (
    concepts,
    country_token,
    label_token,
    latin_terms,
    unique_terms,
)
from app.search.query import query_terms
from app.search.uzbek import script_variants


@dataclass(frozen=True)
class QueryMatcher:
    terms: frozenset[str]  # words to find as they are
    tokens: frozenset[str]  # concepts the query names

    @classmethod
    def of(cls, q: str) -> QueryMatcher:
        rest, tokens = concepts().in_query(query_terms(q))
        return cls(frozenset(rest), frozenset(tokens))

    def matches(
        self,
        *,
        kind: str,
        countries: Iterable[str],
        texts: Mapping[str, Mapping[str, str] | None],
        labels: Iterable[str] = (),
    ) -> bool:
        """`texts`: the record's localized texts (title, summary) by field; `labels`: more words it
        is filed under (its topics' labels)."""
        if not self.terms and not self.tokens:
            return True
        written = [(lang, t) for text in texts.values() for lang, t in (text or {}).items() if t]
        plain = [t for _, t in written] + list(labels)
        found = set(unique_terms(plain))
        found |= set(unique_terms(v for lang, t in written for v in script_variants(t, lang)))
        found |= {x for t in plain for x in latin_terms(t)}
        tokens = set(concepts().in_text(found)) | {label_token("kind", kind)}
        tokens |= {country_token(c) for c in countries}
        return self.terms <= found and self.tokens <= tokens
