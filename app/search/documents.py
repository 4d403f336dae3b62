"""Record → search document. Pure: no I/O, everything it needs is passed in.

A document keeps the record's own words for display, highlighting and exact matches (`titles`,
`codes`, `summaries`) and their search terms (app/search/analysis.py) in hidden fields:
`title_terms`, and `terms` for everything else (summaries, issuing body, city, participants,
topic labels), each with the tokens of the concepts its words name (glossary groups, kinds,
types, countries); and `tags`, the tokens of the concepts the record is filed under (its kind,
type, services and countries). Queries are reduced to the same terms and tokens."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

from app.core.text import fold, latin
from app.registry import KINDS
from app.search.analysis import (
    act_number_variants,
    concepts,
    country_token,
    label_token,
    latin_terms,
    stop_terms,
    unique_terms,
    words,
)
from app.search.index import chunk_document, record_part
from app.search.uzbek import script_variants

LANGUAGE_ORDER = ("en", "ru", "ky", "kk", "uz", "tg", "tk")
# What the embedding model reads: titles and the start of the summary (its cost grows with length).
# Measured with bench/passage_length.py (seed + holdout records, 142 passages; 2026-12-07, a shared
# machine under a load of 13-15 on its 2 cores, so the rates are noise):
#   cut    tokens p50   passages/s   dev nDCG@10   holdout nDCG@10
#   300        92          0.55         0.926          0.691
#   600        92          0.43         0.928          0.687
#   1200       92          0.58         0.928          0.688
# The judged records are short (the median passage is 92 tokens whatever the cut), so neither set
# tells the cuts apart (±0.004) and the rate follows the length only where summaries are long: the
# bench's synthetic records (median 546 characters at 600) and long real summaries. 600 stays until
# a judged set with long summaries can show what a shorter cut loses. MIGRANTKB_PASSAGE_CHARS is
# for that bench only.
PASSAGE_CHARS = int(os.environ.get("MIGRANTKB_PASSAGE_CHARS") or 600)


def _ordered(text: Mapping[str, str] | None) -> list[tuple[str, str]]:
    text = text or {}
    known = [(lang, text[lang]) for lang in LANGUAGE_ORDER if text.get(lang)]
    return known + [(lang, t) for lang, t in sorted(text.items()) if lang not in LANGUAGE_ORDER and t]


def _variants(texts: Iterable[str]) -> list[str]:
    """Folded and Latin forms of titles and codes that differ from the texts themselves
    (deduplicated): people type Cyrillic titles in Latin letters."""
    texts = list(texts)
    seen = {t.lower() for t in texts}
    out: list[str] = []
    for text in texts:
        for variant in (fold(text), latin(text)):
            if variant and variant not in seen:
                seen.add(variant)
                out.append(variant)
    return out


_BRACKETS = re.compile(r"\([^)]*\)")  # an acronym already stated, a year, a number


def initials(title: str) -> str | None:
    """The acronym a name makes of its words' first letters, function words left out:
    International Organization for Migration → iom, Международная организация по миграции → мом,
    Georgian Young Lawyers' Association → gyla. A record's names in each language give its
    acronyms in each (IOM, МОМ, СБМ, XMT) whether or not it states them. Three to six words."""
    stops = stop_terms()
    found = [w for w in words(_BRACKETS.sub(" ", title)) if w not in stops and not w.isdigit()]
    return "".join(w[0] for w in found) if 3 <= len(found) <= 6 else None


def _texts(value: Any) -> list[str]:
    """A context field's words: a string, a list of them, or a localized text's every language."""
    if not value:
        return []
    if isinstance(value, Mapping):
        return [str(v) for _, v in _ordered(value)]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [str(value)]


def passage(record: Any) -> str:
    """The text the embedding model sees: every title, then the summary in English (or the
    record's first language), cut at a word boundary."""
    titles = list(dict.fromkeys(t for _, t in _ordered(record.title)))
    summaries = dict(_ordered(record.summary))
    summary = summaries.get("en") or next(iter(summaries.values()), "")
    if len(summary) > PASSAGE_CHARS:
        summary = summary[:PASSAGE_CHARS].rsplit(" ", 1)[0]
    return " / ".join(titles) + (". " + summary if summary else "")


def passage_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def search_document(
    record: Any,
    *,
    country_names: Mapping[str, Mapping[str, str]],
    topic_labels: Mapping[str, Mapping[str, str]],
    participant_names: Iterable[str] = (),
) -> dict[str, Any]:
    spec = KINDS[record.kind]
    titles = _ordered(record.title)
    summaries = _ordered(record.summary)
    # The kind's main date (for `from`/`to`, the year facet and hits' `date`).
    date = getattr(record, spec.date_column, None) if spec.date_column else None
    title_texts = [t for _, t in titles]
    title_texts += [v for lang, t in titles for v in script_variants(t, lang)]
    derived = [a for a in dict.fromkeys(map(initials, title_texts)) if a]  # in each script too
    # Short identifying strings: numbers, acronyms, instruments.
    codes = [str(getattr(record, f)) for f in spec.code_fields if getattr(record, f, None)]
    codes += [
        str(i.get("value")) for i in (record.identifiers or []) if isinstance(i, dict) and i.get("value")
    ]
    codes = list(dict.fromkeys(codes))
    summary_texts = [t for _, t in summaries]
    context = [text for f in spec.context_fields for text in _texts(getattr(record, f, None))]
    context += list(participant_names)
    for topic in record.topics or []:
        context += list(topic_labels.get(topic, {}).values())
    # The kind, its type (named in every language by the spec's `labels`) and tag fields' values.
    tags = [label_token("kind", record.kind)]
    if spec.type_field and getattr(record, spec.type_field, None):
        tags.append(label_token(spec.type_field, getattr(record, spec.type_field)))
    tags += [label_token(f, value) for f in spec.tag_fields for value in getattr(record, f, None) or []]
    tags += [country_token(c) for c in record.countries or []]
    title_terms = unique_terms([*title_texts, *_variants(title_texts)])
    body_terms = list(
        dict.fromkeys(
            chain(
                unique_terms(summary_texts),
                unique_terms(v for lang, t in summaries for v in script_variants(t, lang)),
                chain.from_iterable(map(latin_terms, summary_texts)),  # Cyrillic typed in Latin letters
                unique_terms(context),
            )
        )
    )
    named = concepts()
    title_tokens = named.in_texts(set(title_terms), title_texts)
    title_terms += title_tokens
    # The names of the glossary groups and countries a title names, in every language, beside its
    # own words: a query's concept words (`башпаана`, asylum in Kyrgyz) stand in a title written in
    # the query's language, and matched only in the topic labels (`terms`, a lower field) of a
    # record held in English only, which ranked it behind the other. Not types and services (a
    # loose value, whose names spread false matches: "International Organisation for Migraton"
    # met every law whose title names a UN body when they were added, dev 0.924 -> 0.918), nor
    # kinds (their words are searched through the kind's token, app/search/query.py). Fresh bases,
    # bench/relevance/run.py, three runs: dev 0.924, 0.927, 0.923 (0.924, 0.927 before); holdout
    # 0.742 -> 0.755, 0.758, 0.757 (uk .64 -> .75-.79, kk .73 -> .79, tk .71 -> .79, ky .60 -> .63).
    # Seed and holdout: title_terms 32 -> 62 words a record, all searched words 192 -> 221.
    shared = [t for t in title_tokens if t.startswith(("qzgl", "qzcc"))]
    title_terms += [t for t in named.names_of(shared) if t not in set(title_terms)]
    body_terms += named.in_texts(set(body_terms), [*summary_texts, *context])
    return {
        **record_part(record.id),
        "kind": record.kind,
        "slug": record.slug,
        "version": record.version,
        "original_language": record.original_language,
        "title": dict(titles),
        "title_langs": [lang for lang, _ in titles],
        "titles": title_texts + _variants(title_texts),
        "title_terms": " ".join(title_terms),
        # As written, in other scripts, act numbers with each prefix, acronyms made of the names,
        # and as search terms (queries arrive as terms: GYLA is `gila`).
        "codes": list(
            dict.fromkeys(
                [
                    *codes,
                    *_variants(codes),
                    *(v for c in codes for v in act_number_variants(c)),
                    *derived,
                    *_variants(derived),
                    *unique_terms([*codes, *derived]),
                    # The concepts the codes name (IOM = МОМ = ХКҰ …): beside the acronym, as in a query.
                    *named.in_text(set(unique_terms([*codes, *derived]))),
                ]
            )
        ),
        "summary_langs": [lang for lang, _ in summaries],
        "summaries": summary_texts,  # shown, in summary_langs order; searched through `terms`
        "terms": " ".join(body_terms),
        "tags": " ".join(tags),
        "countries": list(record.countries or []),
        "topics": list(record.topics or []),
        "status": record.status,
        "date": date,
        "year": int(date[:4]) if date else None,
    }


# Pages of attachments are indexed in chunks of about this many characters, each a document of the
# same index that names its record (the index's distinct attribute: a search lists a
# record once, by its best-matching document, so a record found inside its files ranks with it).
CHUNK_CHARS = 1500


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """The text cut into pieces of at most `size` characters, at white space where there is some."""
    out: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= size:
            out.append(rest)
            break
        cut = max(rest.rfind("\n", 0, size), rest.rfind(" ", 0, size))
        if cut < size // 2:
            cut = size
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return [c for c in out if c]


def chunk_documents(record_document: Mapping[str, Any], pages: Iterable[Any]) -> list[dict[str, Any]]:
    """Search documents for the pages (`attachment_id`, `page`, `text`) of a record's attachments:
    each chunk's own terms (the same analysis as a summary's) and text (for the snippet)."""
    named = concepts()
    out = []
    for row in pages:
        for n, text in enumerate(chunks(row.text)):
            body_terms = list(dict.fromkeys(chain(unique_terms([text]), latin_terms(text))))
            # The concepts its words name, as a record's
            body_terms += named.in_texts(set(body_terms), [text])
            out.append(
                chunk_document(record_document, row.attachment_id, row.page, n, text, " ".join(body_terms))
            )
    return out
