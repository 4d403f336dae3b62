"""Index settings, kept as code and data (synonyms.json), applied on start and on reindex."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from meilisearch_python_sdk.models.settings import (
    Faceting,
    MeilisearchSettings,
    Pagination,
    ProximityPrecision,
    TypoTolerance,
)

from app.core.text import fold, latin

SYNONYMS_FILE = Path(__file__).with_name("synonyms.json")
FILTERABLE = ["kind", "countries", "topics", "status", "year"]
FACETS = ["kind", "countries", "topics", "status", "year"]


@lru_cache
def synonyms() -> dict[str, list[str]]:
    """Every term of a group, its folded form and the Latin transliteration of Cyrillic terms
    ("zakon" for "закон") map to all the others (Meilisearch wants each direction spelled out)."""
    groups = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))["groups"]
    out: dict[str, set[str]] = {}
    for group in groups:
        terms = {t.lower() for t in group} | {fold(t) for t in group} | {latin(t) for t in group} - {""}
        for term in terms:
            out.setdefault(term, set()).update(terms - {term})
    return {term: sorted(others) for term, others in sorted(out.items())}


@lru_cache
def stop_words() -> list[str]:
    """Function words that only add noise to ranking (they still count inside phrases)."""
    return sorted(json.loads(SYNONYMS_FILE.read_text(encoding="utf-8")).get("stop_words", []))


def settings() -> MeilisearchSettings:
    return MeilisearchSettings(
        # Attribute order is a ranking rule: titles first, then numbers and acronyms, then text.
        searchable_attributes=["titles", "codes", "summaries", "context"],
        displayed_attributes=[
            "id",
            "kind",
            "slug",
            "version",
            "original_language",
            "title",
            "title_langs",
            "summary_langs",
            "summaries",
            "countries",
            "topics",
            "status",
            "date",
            "year",
        ],
        filterable_attributes=FILTERABLE,
        sortable_attributes=["year", "slug"],
        ranking_rules=["words", "typo", "proximity", "attribute", "sort", "exactness"],
        typo_tolerance=TypoTolerance(enabled=True),
        faceting=Faceting(max_values_per_facet=300),
        pagination=Pagination(max_total_hits=10000),
        synonyms=synonyms(),
        facet_search=False,  # no facet-value search here: skip building its structures
        # Word-pair distances per attribute, not per word: measured 87 s → 69 s to index 20,000
        # records, with the same relevance figures on the judged queries.
        proximity_precision=ProximityPrecision.BY_ATTRIBUTE,
        stop_words=stop_words(),
    )
