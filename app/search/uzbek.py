"""Uzbek between its two scripts by the official correspondence (1995 Latin alphabet). No
maintained library does this (cyrtranslit has no Uzbek; PyPI's candidates are single-file
experiments that get `ц`, `е` and `ё` wrong), so the table is here. Documents carry their Uzbek
titles and summaries in both scripts; a Cyrillic query is also read in Uzbek Latin to find the
concepts the vocabulary names (app/search/analysis.py, app/search/query.py)."""

from __future__ import annotations

import re

from app.core.text import has_cyrillic

_UZ_VOWELS = set("аеёиоуўэюяaeiou")
_UZ_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ж": "j", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ч": "ch", "ш": "sh", "ъ": "ʼ", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ё": "yo", "ў": "oʻ", "қ": "q", "ғ": "gʻ", "ҳ": "h", "ы": "i", "щ": "sh",
}  # fmt: skip


def uz_latin(text: str) -> str:
    """Uzbek Cyrillic → Latin (1995 alphabet): е is `ye` at the start of a word and after a vowel,
    `e` elsewhere; ц is `ts` between vowels and `s` elsewhere; capitals kept."""
    out: list[str] = []
    lower = text.lower()
    for i, ch in enumerate(lower):
        prev = lower[i - 1] if i else " "
        nxt = lower[i + 1] if i + 1 < len(lower) else " "
        if ch == "е":
            latin = "ye" if (not prev.isalpha() or prev in _UZ_VOWELS) else "e"
        elif ch == "ц":
            latin = "ts" if prev in _UZ_VOWELS and nxt in _UZ_VOWELS else "s"
        else:
            latin = _UZ_TO_LATIN.get(ch, ch)
        if text[i].isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


_UZ_DIGRAPHS = [("oʻ", "ў"), ("gʻ", "ғ"), ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"),
                ("ye", "е"), ("ts", "ц")]  # fmt: skip
_UZ_TO_CYRILLIC = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т", "u": "у",
    "v": "в", "x": "х", "y": "й", "z": "з", "ʼ": "ъ",
}  # fmt: skip
_UZ_TO_CYRILLIC_TABLE = str.maketrans(_UZ_TO_CYRILLIC)
_UZ_APOSTROPHES = re.compile(r"[ʻʼ'‘’`´]")


def uz_cyrillic(text: str) -> str:
    """Uzbek Latin → Cyrillic (any apostrophe form: oʻ o' o‘ o`); `e` at the start of a word is э."""
    text = _UZ_APOSTROPHES.sub("ʻ", text.lower())
    text = re.sub(r"(?<![^\W\d_])e", "э", text)
    for pair, cyrillic in _UZ_DIGRAPHS:
        text = text.replace(pair, cyrillic)
    text = text.replace("ʻ", "ъ")
    return text.translate(_UZ_TO_CYRILLIC_TABLE)


def script_variants(text: str, language: str) -> list[str]:
    """The other script of an Uzbek text (other languages have one script here)."""
    if language != "uz":
        return []
    return [uz_latin(text)] if has_cyrillic(text) else [uz_cyrillic(text)]
