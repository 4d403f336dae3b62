"""Text folding for multilingual matching, used on documents and queries alike.

- fold(): lower case; the region's special Cyrillic letters become their Russian-keyboard forms
  (қ→к, ғ→г, ң→н, ө→о, ү→у, ұ→у, ә→а, і→и, һ→х, ҳ→х, ҷ→ч, ӣ→и, ў→у, ӯ→у), and Ukrainian's
  (ї→и, є→е, ґ→г); ё→е; Uzbek
  apostrophes (ʻ ' ‘ ’ `) are dropped, so oʻzbekiston, o'zbekiston and ozbekiston meet.
- latin(): a Latin transliteration (anyascii) of Cyrillic text, so "zakon o vneshnei migratsii"
  finds "О внешней миграции".
- in_latin(): one folded Latin form of any text (Cyrillic transliterated, Latin as folded), for
  PostgreSQL's trigram matching, where a text and a query meet in one script.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_SPECIAL = str.maketrans(
    {
        "қ": "к",
        "ғ": "г",
        "ң": "н",
        "ө": "о",
        "ү": "у",
        "ұ": "у",
        "ә": "а",
        "і": "и",
        "һ": "х",
        "ҳ": "х",
        "ҷ": "ч",
        "ӣ": "и",
        "ў": "у",
        "ӯ": "у",
        "ё": "е",
        "ҡ": "к",
        "ӊ": "н",
        # Ukrainian (queries only: no record is written in it): Україна meets Украина, Європа Европа.
        "ї": "и",
        "є": "е",
        "ґ": "г",
    }
)
_HAS_SPECIAL = re.compile("[" + "".join(chr(c) for c in _SPECIAL) + "]")
_APOSTROPHES = re.compile(r"[ʻʼ'‘’`´]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Cached for the few calls on one text while a document is built (its words, its variants,
    its transliteration)."""
    text = unicodedata.normalize("NFC", text).lower()
    if _HAS_SPECIAL.search(text):  # str.translate looks up every letter of Cyrillic text
        text = text.translate(_SPECIAL)
    # split() cuts at runs of what str.isspace() calls white space, as `\s` does: several times
    # faster than a regular expression that joins the runs.
    return " ".join(_APOSTROPHES.sub("", text).split())


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


# anyascii's Cyrillic mapping is context-free, so it can be precomputed into a translate table
# (C speed: transliterating every summary at import time must stay cheap).
_LATIN = {cp: anyascii(chr(cp)) for cp in range(0x0400, 0x0530)}


@lru_cache(maxsize=4096)
def latin(text: str) -> str:
    """Latin transliteration of the Cyrillic in `text`, folded; empty when there is none.
    Word by word: a text's words recur across records far more than the text does, and
    str.translate with a table of strings costs about 70 ns a letter (half of an import's
    `search_text`)."""
    if not has_cyrillic(text):
        return ""
    return fold(" ".join(map(_latin_word, text.split())))


@lru_cache(maxsize=65536)
def _latin_word(word: str) -> str:
    return word.translate(_LATIN)


def in_latin(text: str) -> str:
    """The text folded, its Cyrillic words transliterated: "Көші-қон" and "koshi-kon" give the same.
    Word by word through a cache (titles share most of their words), the same words as fold()."""
    return " ".join(filter(None, map(_in_latin_word, text.split())))


@lru_cache(maxsize=65536)
def _in_latin_word(word: str) -> str:
    folded = fold(word)
    return latin(folded) or folded
