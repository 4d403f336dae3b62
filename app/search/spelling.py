""" "Did you mean": a close spelling for a query that found nothing.

The words come from the search vocabulary (the field's words in the base's languages, and the names
of kinds and types, see analysis.concepts) and CLDR's names of countries; never from queries. A
query word that is none of them is replaced by the closest one (an edit similarity of at least
CUTOFF, among words of about its length); search.service offers the result only if it finds records.

rapidfuzz, not difflib: difflib's get_close_matches over the thousands of words of about a word's
length held the event loop for about 93 ms on every query that found nothing (the latency review,
2026-12-07), so a stream of made-up words slowed every other request."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from rapidfuzz import fuzz, process

from app.search.analysis import concepts, vocabulary, words
from app.search.wordlike import LOCALES

CUTOFF = 0.75
MIN_LETTERS = 4


def _vocabulary_texts() -> list[str]:
    glossary: Any = vocabulary().get("glossary", [])
    texts = [t for group in glossary for t in group]
    texts += concepts().phrases
    for code in LOCALES:
        try:
            texts += list(Locale.parse(code).territories.values())
        except (UnknownLocaleError, ValueError):
            continue
    return texts


@lru_cache(maxsize=1)
def dictionary() -> dict[int, list[str]]:
    """Known words by length."""
    by_length: dict[int, set[str]] = defaultdict(set)
    for text in _vocabulary_texts():
        for word in words(text):
            if len(word) >= MIN_LETTERS and not word.isdigit():
                by_length[len(word)].add(word)
    return {n: sorted(ws) for n, ws in by_length.items()}


def _closest(word: str) -> str | None:
    known = dictionary()
    if word in known.get(len(word), ()):
        return None
    candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in known.get(n, ())]
    found = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=CUTOFF * 100)
    return found[0] if found else None


def respelled(q: str) -> str | None:
    """The query with each unknown word replaced by its closest known word; None when no word changes."""
    out, changed = [], False
    for word in words(q):
        close = _closest(word) if len(word) >= MIN_LETTERS and not word.isdigit() else None
        out.append(close or word)
        changed = changed or close is not None
    return " ".join(out) if changed else None
