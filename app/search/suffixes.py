"""Word endings of the base's agglutinative languages, stripped only where what remains is a word
the search vocabulary knows.

The terms of app/search/analysis.py cut a word to a fixed prefix (six Cyrillic letters, seven
Latin ones), which joins the forms of a long root (мигранттардын, мигранттар) but not of a short
one: Turkish `kanunu` (its law) and `kanun`, Uzbek `qonunlar` and `qonun`, Tajik `қонунҳо` and
`қонун`, Kazakh `заңы` and `заң` stay apart, so a query that names a law, a refugee or a country in
an inflected form missed the concept (and every record filed under it) unless the vocabulary
happened to list that very form. No maintained stemmer covers these languages (Snowball has
Turkish only; pystemmer has none of Kazakh, Kyrgyz, Uzbek, Tajik or Turkmen).

The endings below are the languages' own grammar (plural, possessive, case and relative
suffixes, with their vowel-harmony and consonant variants), written as the analysis sees them:
folded Cyrillic (ң→н, ү→у, ө→о, ә→а, і→и, қ→к, ғ→г, ҳ→х, ӣ→и) and `latin_key` Latin (ı→i, y→i,
q→k, ä→a, ň→n). A word may lose up to three of them (plural + possessive + case: qonun-lar-i-ni),
never below three letters (`len(w) > len(s) + 2`), and a shortened form is kept only when its term is one the
vocabulary names (app/search/analysis.py `Concepts.stemmed`): an English or Russian word that
merely ends like a suffix gains nothing unless what is left is itself a known word.
"""

from __future__ import annotations

from functools import lru_cache

from app.core.text import has_cyrillic

MAX_SUFFIXES = 3

# Kazakh, Kyrgyz, Uzbek (Cyrillic), Tajik, folded.
CYRILLIC = (
    # plural (Kazakh/Kyrgyz by harmony and the stem's last sound; Tajik -ҳо, -он, -ён, -гон)
    "лар", "лер", "лор", "дар", "дер", "дор", "тар", "тер", "тор", "хо", "он", "ён", "гон",
    # possessive, third person; Tajik ezafe and adjectival -ӣ
    "ы", "и", "у", "сы", "си", "су",
    # accusative (Tajik -ро)
    "ны", "ни", "ну", "ды", "ди", "ду", "ты", "ти", "ту", "ро",
    # genitive
    "нын", "нин", "нун", "дын", "дин", "дун", "тын", "тин", "тун", "нинг",
    # dative
    "га", "ге", "го", "ка", "ке", "ко", "а", "е", "на", "не",
    # locative and ablative
    "да", "де", "до", "та", "те", "то", "нда", "нде", "дан", "ден", "дон", "тан", "тен", "тон", "нан", "нен",
    # relative (Kyrgyz -дагы, Kazakh -дағы/-дегі, Uzbek -даги)
    "дагы", "деги", "даги", "тагы", "теги",
)  # fmt: skip

# Uzbek, Turkmen, Turkish, Azerbaijani, as `latin_key` writes them.
LATIN = (
    # plural
    "lar", "ler",
    # possessive, third person (Turkmen -y/-sy and Turkish -ı/-sı are i/si here)
    "i", "u", "si", "su",
    # accusative
    "ni", "nu",
    # genitive (Uzbek -ning, Turkmen -nyň, Turkish/Azerbaijani -nın/-ın)
    "nin", "nun", "ning", "in", "un",
    # dative
    "ga", "ge", "ka", "ke", "a", "e", "na", "ne",
    # locative and ablative
    "da", "de", "ta", "te", "nda", "nde", "dan", "den", "tan", "ten", "ndan", "nden",
    # relative (Uzbek -dagi, Turkmen -daky, Turkish -daki/-deki)
    "dagi", "daki", "deki",
)  # fmt: skip


@lru_cache(maxsize=200_000)
def shortened(word: str) -> tuple[str, ...]:
    """The forms of a word (folded Cyrillic, or Latin as `latin_key` writes it) without one, two or
    three of its possible endings, longest first; none shorter than three letters."""
    suffixes = CYRILLIC if has_cyrillic(word) else LATIN
    found: dict[str, None] = {}
    frontier = [word]
    for _ in range(MAX_SUFFIXES):
        frontier = [w[: -len(s)] for w in frontier for s in suffixes if w.endswith(s) and len(w) > len(s) + 2]
        found.update(dict.fromkeys(frontier))
    return tuple(sorted(found, key=len, reverse=True))
