"""Record → search document. Pure: no I/O, everything it needs is passed in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.core.text import fold, latin

LANGUAGE_ORDER = ("en", "ru", "ky", "kk", "uz", "tg", "tk")
# The kind's main date (for `from`/`to`, the year facet and hits' `date`).
DATE_FIELD = {"law": "adopted_on", "policy": "adopted_on", "program": "start_on", "organization": "founded"}
# Short identifying strings: numbers, acronyms, instruments.
CODE_FIELDS = ("number", "acronym", "instrument")
CONTEXT_FIELDS = ("issuing_body", "official_publication", "city")
# What organizations do, in words people search with (other languages come through synonyms).
SERVICE_WORDS = {
    "legal_aid": "legal aid / юридическая помощь",
    "shelter": "shelter / приют",
    "hotline": "hotline / горячая линия",
    "training": "training / обучение",
    "research": "research / исследования",
    "psychosocial": "psychosocial support / психосоциальная поддержка",
    "advocacy": "advocacy / адвокация",
    "funding": "funding / финансирование",
    "information": "information / информирование",
}


def _ordered(text: Mapping[str, str] | None) -> list[tuple[str, str]]:
    text = text or {}
    known = [(lang, text[lang]) for lang in LANGUAGE_ORDER if text.get(lang)]
    return known + [(lang, t) for lang, t in sorted(text.items()) if lang not in LANGUAGE_ORDER and t]


def _variants(texts: Iterable[str], *, transliterate: bool = True) -> list[str]:
    """Folded (and Latin) forms that differ from the texts themselves (deduplicated). Latin
    transliterations are for titles and codes: they double the words to index, and people type
    Cyrillic titles in Latin letters, not whole summaries."""
    texts = list(texts)
    seen = {t.lower() for t in texts}
    out: list[str] = []
    for text in texts:
        for variant in (fold(text), latin(text) if transliterate else ""):
            if variant and variant not in seen:
                seen.add(variant)
                out.append(variant)
    return out


def search_document(
    record: Any,
    *,
    country_names: Mapping[str, Mapping[str, str]],
    topic_labels: Mapping[str, Mapping[str, str]],
    participant_names: Iterable[str] = (),
) -> dict[str, Any]:
    titles = _ordered(record.title)
    summaries = _ordered(record.summary)
    date = getattr(record, DATE_FIELD[record.kind], None)
    codes = [str(getattr(record, f)) for f in CODE_FIELDS if getattr(record, f, None)]
    codes += [
        str(i.get("value")) for i in (record.identifiers or []) if isinstance(i, dict) and i.get("value")
    ]
    context = [str(getattr(record, f)) for f in CONTEXT_FIELDS if getattr(record, f, None)]
    context += list(participant_names)
    context += [SERVICE_WORDS[s] for s in getattr(record, "services", None) or [] if s in SERVICE_WORDS]
    for code in record.countries or []:
        context += list(country_names.get(code, {}).values())
    for topic in record.topics or []:
        context += list(topic_labels.get(topic, {}).values())
    return {
        "id": str(record.id),
        "kind": record.kind,
        "slug": record.slug,
        "version": record.version,
        "original_language": record.original_language,
        "title": dict(titles),
        "title_langs": [lang for lang, _ in titles],
        "titles": [t for _, t in titles] + _variants([t for _, t in titles]),
        "codes": codes + _variants(codes),
        "summary_langs": [lang for lang, _ in summaries],
        "summaries": [t for _, t in summaries] + _variants([t for _, t in summaries], transliterate=False),
        "context": context + _variants(context, transliterate=False),
        "countries": list(record.countries or []),
        "topics": list(record.topics or []),
        "status": record.status,
        "date": date,
        "year": int(date[:4]) if date else None,
    }
