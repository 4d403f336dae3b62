"""Text analysis for search, applied alike to documents (when they are built) and to queries, so
that whatever one side does to a word the other side does too.

- terms(): a text's words reduced to search terms. Cyrillic words are folded (the region's special
  letters typed as Russian ones), cut to their first six letters and stemmed by Snowball's Russian
  stemmer; Latin words get `latin_key` (diacritics plain, romanisations of Cyrillic made one), are
  cut to seven letters and stemmed by Snowball's English stemmer. A fixed-length prefix after a stemmer is
  the textbook treatment of agglutinative languages (Kazakh, Kyrgyz, Uzbek, Turkmen attach case
  and plural suffixes to a stem that stays put: мигрант-тар-дын, migrant-lar-ni) and catches
  most Russian inflection the stemmer leaves; precision comes back from the whole words, which
  queries and documents keep beside their terms.
- Uzbek between its scripts: app/search/uzbek.py.
- act_number_variants(): an act number written with each of its equivalent prefixes (УП = ПФ = PF
  = UP for an Uzbek presidential decree) and without leading zeros.
- Concepts: what the vocabulary (vocabulary.json) and CLDR name in many languages (glossary
  groups, kinds, types, services, countries), each as one token that documents carry and that
  replaces its names in queries (see `Concepts`). Meilisearch expands nothing at query time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import chain
from pathlib import Path

import Stemmer

from app.core.i18n import LANGUAGES
from app.core.reference import country_names
from app.core.text import fold, latin
from app.records.catalog import CATALOG
from app.search.suffixes import shortened

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.json")
CYRILLIC_PREFIX = 6
LATIN_PREFIX = 7

_WORD = re.compile(r"\d+|[^\W\d_]+")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04FF]")
_RU = Stemmer.Stemmer("russian")
_EN = Stemmer.Stemmer("english")

# Letters that decomposition leaves alone (Turkish/Azerbaijani dotless i, schwa, Nordic o), and the
# Turkic Latin letters for ч and ш (Turkish, Azerbaijani, Turkmen ç, ş) as the romanisations of
# Cyrillic and Uzbek Latin write them (ch, sh), not as c and s: Azerbaijani `qaçqın` is Kyrgyz
# `качкын` (kachkyn), refugee, as the vocabulary names it. Fresh bases, bench/relevance/run.py
# twice: holdout 0.757 -> 0.758, 0.765 (az .36 -> .56, .62; tr .86 -> .82, a query found by
# meaning alone), dev 0.927, 0.927.
_LATIN_EXTRA = str.maketrans(
    {"ı": "i", "ə": "a", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "ç": "ch", "ş": "sh"}
)
# Romanisations of Cyrillic made one (longest first): х = kh = x = h, ж = zh = j, ц = ts = tc,
# щ = shch = sch, й/ы = y = i; q = k (Uzbek қ typed plainly). Applied to documents and queries.
_ROMAN = [
    ("isation", "ization"),  # British and American English spellings meet too
    ("centre", "center"),
    ("our", "or"),
    ("shch", "sh"),
    ("sch", "sh"),
    ("dzh", "j"),
    ("kh", "h"),
    ("zh", "j"),
    ("dj", "j"),
    ("tc", "ts"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "h"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
]
_ROMAN_RE = re.compile("|".join(re.escape(a) for a, _ in _ROMAN))
_ROMAN_MAP = dict(_ROMAN)
_DOUBLE = re.compile(r"(.)\1+")


def latin_key(word: str) -> str:
    """A Latin word with diacritics plain (Turkmen ä ň ö ü ý ž, Turkish ı ğ, Azerbaijani ə; ç ş as ch sh) and
    common romanisation variants folded together: `vneshney` and `vneshnei`, `inostrannykh` and
    `inostranyh`, `migratsiya` and `migratsiia` meet."""
    word = unicodedata.normalize("NFKD", word.lower().translate(_LATIN_EXTRA))
    word = "".join(c for c in word if not unicodedata.combining(c))
    word = _ROMAN_RE.sub(lambda m: _ROMAN_MAP[m.group(0)], word)
    return _DOUBLE.sub(r"\1", word)


@lru_cache(maxsize=500_000)
def term(word: str) -> str:
    """One word (already folded: lower case, no apostrophes) as a search term."""
    if word.isdigit():
        return word.lstrip("0") or "0"
    # Cut first, then stem: two words that share their first letters always meet, and a short
    # Turkic root is not shortened by the Russian stemmer (мыйзам and мыйзамдары agree).
    if _CYRILLIC_WORD.search(word):
        stem = str(_RU.stemWord(word[:CYRILLIC_PREFIX]))
        # The stemmer may not eat into the first five letters: права, правила and правительство
        # keep apart (прав- would join them), and a short Turkic root still agrees with itself.
        return stem if len(stem) >= 5 or len(word) < 5 else word[:5]
    key = latin_key(word)
    cut = _distinct_cuts().get(key[:LATIN_PREFIX])
    if cut is not None:
        # Words the vocabulary says share their first letters but not their meaning (`internal`,
        # `international`): cut after the letters that tell them apart, and not stemmed (the
        # stemmer would take both back to `intern`).
        return key[:cut]
    return str(_EN.stemWord(key[:LATIN_PREFIX]))


@lru_cache
def _distinct_cuts() -> dict[str, int]:
    """The vocabulary's `distinct` words: for their shared first LATIN_PREFIX letters, where to cut
    words so that they part (one letter past their longest common start)."""
    cuts: dict[str, int] = {}
    for group in json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))["distinct"]:
        keys = [latin_key(fold(w)) for w in group]
        common = next(
            (i for i, letters in enumerate(zip(*keys, strict=False)) if len(set(letters)) > 1),
            min(map(len, keys)),
        )
        cuts[keys[0][:LATIN_PREFIX]] = max(cuts.get(keys[0][:LATIN_PREFIX], 0), common + 1)
    return cuts


def words(text: str) -> list[str]:
    """Folded words; letters and digits split apart (`уп5785` → `уп`, `5785`). Turkish and
    Azerbaijani `İ` is `i` (str.lower() gives `i` and a combining dot, which split the word)."""
    return _WORD.findall(fold(text.replace("İ", "I")))


def terms(text: str) -> list[str]:
    return list(_terms(text))


@lru_cache(maxsize=100_000)
def _terms(text: str) -> tuple[str, ...]:
    """Cached by text: names of countries, topics, kinds and organizations recur on many records."""
    return tuple(map(term, words(text)))


@lru_cache(maxsize=200_000)
def _latin_word_terms(word: str) -> tuple[str, ...]:
    return _terms(latin(word)) if word else ()


def latin_terms(text: str) -> list[str]:
    """`terms(latin(text))` word by word: the same terms, and each word's transliteration is
    cached (a summary's words recur across records; the summary itself does not)."""
    return list(chain.from_iterable(map(_latin_word_terms, _WORD.findall(text.lower()))))


def unique_terms(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(chain.from_iterable(map(_terms, texts))))


@lru_cache(maxsize=500_000)
def _raw_term(word: str) -> str:
    return term(fold(word))


@lru_cache(maxsize=4096)
def _analysed(text: str) -> tuple[array[int], tuple[str, ...]]:
    """A text's words: their spans (start, end, start, end …) and their terms. Cached by text: the
    same records come back in many answers, and finding and stemming the words of every summary
    of every hit, in each language until one matched, was a search's largest cost in Python
    (about 2 ms a page with the seed; 4,096 summaries take about 20 MB)."""
    found = list(_WORD.finditer(text))
    spans = array("i", [i for m in found for i in m.span()])
    return spans, tuple(_raw_term(m.group()) for m in found)


def highlight(text: str, wanted: AbstractSet[str], crop: int = 28) -> tuple[str, int]:
    """The passage of `text` (at most `crop` words) around its first word whose term is wanted,
    with every such word in <em>…</em>, and the number of them. Done here rather than by
    Meilisearch because queries reach it as terms, and a term highlights every form of its word
    (`мигрант` marks мигрантов and мигранттардын)."""
    spans, found = _analysed(text)
    hits = [] if wanted.isdisjoint(found) else [i for i, t in enumerate(found) if t in wanted]
    if not found:
        return text, 0
    start = max(0, min(hits[0] - crop // 4, len(found) - crop)) if hits else 0
    end = min(len(found), start + crop)
    out, pos = [], spans[2 * start] if start else 0
    for i in (h for h in hits if start <= h < end):
        out += [text[pos : spans[2 * i]], "<em>", text[spans[2 * i] : spans[2 * i + 1]], "</em>"]
        pos = spans[2 * i + 1]
    out.append(text[pos : spans[2 * end - 1]] if end < len(found) else text[pos:])
    snippet = "".join(out)
    if start > 0:
        snippet = "…" + snippet
    if end < len(found):
        snippet += "…"
    return snippet, len(hits)


# --- Vocabulary (data in vocabulary.json) --------------------------------------------------------


@lru_cache
def vocabulary() -> Mapping[str, object]:
    data: Mapping[str, object] = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return data


def _velar(member: tuple[str, ...]) -> tuple[str, ...]:
    """A name's Latin terms with g as k. Azerbaijani writes q for the g of loanwords (`miqrasiya`,
    Turkmen `migrasiýa`) as for the k of its own words (`qanun`, Turkish `kanun`), and q is k here
    (Uzbek қ typed plainly), so a concept's names also answer to their g read as k. Only the names
    of concepts: folding g into k in every word would join unrelated English words."""
    return tuple(t if _CYRILLIC_WORD.search(t) else t.replace("g", "k") for t in member)


Member = tuple[frozenset[str], int, int, str]  # the name's terms, how many, its rank, the token


class Concepts:
    """Things named in many languages: each glossary group, each kind, type and service, each
    country (its names in every language and the glossary's adjectives). A concept is one token
    (`qz…`, a word no text contains). A document carries the token of every concept one of its
    texts names, in the field where the name stands, and of every concept it is tagged with
    (kind, type, services, countries, topics); a query has each run of words that names a concept
    replaced by the token. Documents stay small, and a word in a language no record is written in
    (Tajik `гуреза`) still meets every record about refugees."""

    def __init__(self, named: Mapping[str, Iterable[str]], values: Iterable[str] = ()) -> None:
        # Tokens of fields' values (types, services): not kinds, countries or glossary groups.
        self.values = frozenset(values)
        self.by_term: dict[str, list[Member]] = {}
        self.phrases: list[str] = []  # every name, as written (app/search/spelling.py)
        self._stems: dict[str, str] = {}  # word → its known stem's term, or ""
        self._names: dict[str, tuple[str, ...]] = {}  # token → the terms of all its names
        for rank, (token, phrases) in enumerate(named.items()):
            phrases = list(phrases)
            self.phrases += phrases
            for phrase in [*phrases, *filter(None, map(latin, phrases))]:  # Cyrillic typed in Latin
                member = tuple(dict.fromkeys(terms(phrase)))
                # Its Latin words with g read as k too (`_velar`)
                for variant in dict.fromkeys([member, _velar(member)]):
                    if not variant:
                        continue
                    for t in variant:
                        self.by_term.setdefault(t, []).append((frozenset(variant), len(variant), rank, token))
                    self._names[token] = tuple(dict.fromkeys([*self._names.get(token, ()), *variant]))

    def names_of(self, tokens: Iterable[str]) -> list[str]:
        """The terms of every name of these concepts, in every language (and typed in Latin)."""
        return list(dict.fromkeys(chain.from_iterable(self._names.get(t, ()) for t in tokens)))

    def stemmed(self, texts: Iterable[str]) -> set[str]:
        """Terms of the texts' words without their endings (app/search/suffixes.py), where the
        shortened word is one a concept's name holds: Turkish `kanunu` → `kanun`, Tajik `қонунҳо`
        → `қонун`. Documents and queries alike."""
        out: set[str] = set()
        for word in chain.from_iterable(map(words, texts)):
            found = self._stems.get(word)
            if found is None:
                key = word if _CYRILLIC_WORD.search(word) else latin_key(word)
                found = next((t for t in map(term, shortened(key)) if self._whole(t)), "")
                self._stems[word] = found
            if found:
                out.add(found)
        return out

    def _whole(self, t: str) -> bool:
        """A stem long enough to mean something on its own (five letters), or a name by itself
        (Kazakh `заң`): `many` is not `man` (of Isle of Man), nor `online` `on`."""
        return len(t) >= 3 and any(size == 1 or len(t) >= 5 for _, size, _, _ in self.by_term.get(t, ()))

    def in_texts(self, present: set[str], texts: Iterable[str]) -> list[str]:
        """in_text() of the texts' terms and of their words' known stems."""
        return self.in_text(present | self.stemmed(texts))

    def in_text(self, present: set[str]) -> list[str]:
        """Tokens of the concepts a text (as its set of terms) names."""
        found: dict[str, None] = {}
        for t in present:
            for needed, _, _, token in self.by_term.get(t, ()):
                if token not in found and needed <= present:
                    found[token] = None
        return list(found)

    def in_query(self, query: list[str]) -> tuple[list[str], list[str]]:
        """The query's terms left once the longest names of concepts are taken out, and the
        concepts' tokens."""
        used, tokens = self.named_in(query)
        return [t for t in query if t not in used], list(tokens)

    def named_in(self, query: list[str]) -> tuple[set[str], dict[str, frozenset[str]]]:
        """The query's terms that names of concepts took (longest names first), and the tokens of
        those concepts, each with the terms its names took."""
        present = set(query)
        members = sorted(
            {m for t in present for m in self.by_term.get(t, ()) if m[0] <= present},
            key=lambda m: (-m[1], m[2]),  # longest names first, then in the order declared
        )
        used: set[str] = set()
        tokens: dict[str, frozenset[str]] = {}
        for needed, _, _, token in members:
            if not needed & used:  # one concept per name: the first declared (kinds before types)
                used |= needed
                # A name two fields' values share ("research": a service, a publication type) is
                # ambiguous: its token would make the query miss every record tagged with the
                # other, so it adds none (kinds, countries and glossary groups win as declared).
                others = {t for n, _, _, t in members if n == needed and t != token}
                if token in self.values and others & self.values:
                    continue
                # The same concept again, by another reading of the words (Uzbek Latin, a stem)
                tokens[token] = tokens.get(token, frozenset()) | needed
        return used, tokens


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


KIND_TOKEN = "qzkind"  # label_token("kind", …) begins so


def label_token(field: str, value: str) -> str:
    return f"qz{_letters(field)[:6]}{_letters(value)}"


def country_token(code: str) -> str:
    return f"qzcc{code.lower()}"


@lru_cache
def concepts() -> Concepts:
    """The kinds' names and labels come from the catalog (the registry installs it, so a process
    that analyses text without having imported the kinds fails loudly rather than matching less)."""
    vocab = vocabulary()
    named: dict[str, list[str]] = {}
    # Each kind's names first (a name of a kind and of a type, such as "law", is the kind), then
    # the names of its fields' values, as each kind's spec declares them.
    for spec in CATALOG.specs:
        for value, phrases in spec.labels.get("kind", {}).items():
            named[label_token("kind", value)] = list(phrases)
    values: set[str] = set()
    for spec in CATALOG.specs:
        for field, table in spec.labels.items():
            if field != "kind":
                for value, phrases in table.items():
                    named.setdefault(label_token(field, value), []).extend(phrases)
                    values.add(label_token(field, value))
    names = country_names(LANGUAGES)
    by_name = {fold(n): code for code, by_lang in names.items() for n in by_lang.values()}
    for code, by_lang in names.items():
        named[country_token(code)] = list(dict.fromkeys(by_lang.values()))
    for group in vocab["glossary"]:  # type: ignore[attr-defined]
        # A group that names a country (its adjectives, old names) joins that country's concept.
        country = next((by_name[fold(m)] for m in group if fold(m) in by_name), None)
        token = country_token(country) if country else "qzgl" + _letters(group[0])
        named.setdefault(token, []).extend(group)
    return Concepts(named, values)


@lru_cache
def _act_prefix_classes() -> dict[str, tuple[str, ...]]:
    classes: dict[str, tuple[str, ...]] = {}
    for group in vocabulary()["act_prefixes"]:  # type: ignore[attr-defined]
        keys = tuple(dict.fromkeys("".join(terms(p)) for p in group))
        for key in keys:
            classes[key] = keys
    return classes


def act_number_variants(code: str) -> list[str]:
    """`UP-5785` → `уп 5785`, `пф 5785`, `pf 5785`, `5785`: each number with every prefix
    equivalent to the one written before it, and alone."""
    parts = terms(code)
    out: list[str] = []
    for i, part in enumerate(parts):
        if not part.isdigit():
            continue
        prefix = parts[i - 1] if i and not parts[i - 1].isdigit() else ""
        out += [f"{p} {part}" for p in _act_prefix_classes().get(prefix, ()) if p != prefix]
        out.append(part)
    return list(dict.fromkeys(out))


@lru_cache
def stop_terms() -> frozenset[str]:
    """Function words (and `no`, `№`-style number markers) as the index sees them."""
    words_: list[str] = vocabulary()["stop_words"]  # type: ignore[assignment]
    words_ = [*words_, *filter(None, map(latin, words_))]  # на typed as na
    return frozenset({w for s in words_ for w in (fold(s), *terms(s))} - {""})
