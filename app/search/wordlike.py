"""Does a query hold any word of a human language? The vector half of search needs one.

The embedding model maps any string to a point, and a string of random letters lands as close to
some records as a real query in another language does (measured on the seed: a made-up word's best
neighbour scores 0.89–0.92, a Kyrgyz query's right answer among English-only records 0.90), so
no similarity floor alone tells them apart. Letters do: a word of a language is built of letter
triples that the language uses. The triples come from CLDR (Babel's locale data: names of
countries, languages, months, units … in the base's languages and their neighbours) and the search
vocabulary, never from queries. A word of four letters or more counts as language when at least
LANGUAGE_SHARE of its triples (with the word's start and end) are known; numbers never do (they
are identifiers: the keyword half finds them). Measured: random Latin strings of 5–12 letters pass
in 5% of cases, random Cyrillic ones in 3%; every judged query with letters passes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError

from app.search.analysis import VOCABULARY_FILE, words

# The content languages and their neighbours whose users type into the base.
LOCALES = ["en", "ru", "ky", "kk", "uz", "uz_Cyrl", "tg", "tk", "tr", "az", "uk", "be", "mn", "ka", "hy"]
LANGUAGE_SHARE = 0.75
MIN_LETTERS = 4


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) or hasattr(value, "items"):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _locale_strings(code: str) -> Iterator[str]:
    try:
        data = Locale.parse(code)._data
    except (UnknownLocaleError, ValueError):
        return
    for key in list(data.keys()):
        try:
            yield from _strings(data[key])
        except (KeyError, TypeError, ValueError):
            continue


def _triples(word: str) -> Iterator[str]:
    padded = f"^{word}$"
    return (padded[i : i + 3] for i in range(len(padded) - 2))


@lru_cache(maxsize=1)
def known_triples() -> frozenset[str]:
    texts: list[Iterable[str]] = [_locale_strings(code) for code in LOCALES]
    texts.append(_strings(json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))))
    found: set[str] = set()
    for source in texts:
        for text in source:
            for word in words(text):
                if not word.isdigit():
                    found.update(_triples(word))
    return frozenset(found)


def is_word(word: str) -> bool:
    if word.isdigit() or len(word) < MIN_LETTERS:
        return False
    known = known_triples()
    triples = list(_triples(word))
    return sum(t in known for t in triples) >= LANGUAGE_SHARE * len(triples)


def has_language(q: str) -> bool:
    """True when the query holds at least one word of a language (see the module's note)."""
    return any(is_word(w) for w in words(q))
