"""A search query, analysed once per request: its terms, the text sent to Meilisearch, the terms a
snippet highlights and the folded text the PostgreSQL fallback matches."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.text import fold, has_cyrillic
from app.search.analysis import KIND_TOKEN, concepts, stop_terms, term, words
from app.search.uzbek import uz_latin

MAX_QUERY_WORDS = 10  # Meilisearch reads no more of a query


@dataclass(frozen=True)
class Query:
    q: str
    terms: list[str]  # they meet any inflection, script or romanisation of a word
    text: str  # as documents are indexed (see parse_query)
    wanted: frozenset[str]  # what snippets highlight
    folded: str  # for the PostgreSQL fallback


def query_terms(q: str) -> list[str]:
    """The query's search terms (they meet any inflection, script or romanisation of a word)."""
    stops = stop_terms()
    return [t for t in dict.fromkeys(term(w) for w in words(q) if w not in stops) if t not in stops]


def parse_query(q: str) -> Query:
    """`text` is the query as documents are indexed: the tokens of the concepts it names (a country,
    a kind of record, a glossary group), then its terms as typed, at most ten words. The terms stay:
    a concept's name is also a word of the records that use it (ranked higher where it stands in a
    title). Not the words that name a kind of record (`закон`, `мыйзам`, `kanun`): they say what is
    wanted, which the kind's token says in every language, and every record of the kind carries
    it; as words they matched only records written in the query's language, a whole words bucket
    above the same kind held in English only (Ukrainian `закон про громадянство`: the laws titled
    in Russian, then an English-only "Law on Citizenship"). Fresh bases, bench/relevance/run.py,
    twice: dev 0.924, 0.927 (0.924-0.933 before); holdout 0.730 -> 0.742, 0.742 (uk .47 -> .64,
    kk .69 -> .73, tk .64 -> .71; az .42 -> .36: `qanun` was its only word found)."""
    found = query_terms(q)
    named = concepts()
    # Names of concepts are also found through the words' known stems (Turkish `kanunu`: law) and
    # through a Cyrillic query in Uzbek Latin (the vocabulary writes Uzbek in Latin: `yuridik
    # yordam`; a user types `юридик ёрдам`); those terms are not searched. Not the other way: Latin
    # English in Uzbek Cyrillic reads as Russian (`migration` → `мигратион`: migrant).
    stops = stop_terms()
    texts = [q, uz_latin(q)] if has_cyrillic(q) else [q]
    extra = {*named.stemmed(w for t in texts for w in words(t) if w not in stops), *query_terms(texts[-1])}
    _, taken = named.named_in([*found, *(t for t in extra if t not in found)])
    # The terms the names of kinds took: searched through the kinds' tokens only. An inflected word
    # whose stem names the kind (`kanunu`) is still searched as typed: dropping it too left a query
    # such as `uluslararası işgücü kanunu` a page of ties that settled before the vector could order
    # them (holdout 0.742 -> 0.725, tr .86 -> .70).
    kinds = set().union(*(needed for token, needed in taken.items() if token.startswith(KIND_TOKEN)))
    text = " ".join([*taken, *(t for t in found if t not in kinds)][:MAX_QUERY_WORDS])
    return Query(q=q, terms=found, text=text, wanted=frozenset(found), folded=fold(q))


def query_text(q: str) -> str:
    return parse_query(q).text


def warm_up() -> None:
    """Builds what analysing a query reads, once per process, before the first request: otherwise
    the first query pays for it, and with the event loop held, every request in flight with it
    (measured on a busy machine: the letter triples of has_language 4.5 s, the concepts 0.4 s, the
    spelling dictionary 0.2 s)."""
    from app.search.spelling import dictionary
    from app.search.wordlike import known_triples

    parse_query("warm up")
    known_triples()
    dictionary()
