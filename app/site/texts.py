"""The pages' own words in the seven content languages (strings.json), and the names of what
records are filed under: kinds (from strings.json), countries (CLDR, app/core/reference.py) and
topics (the vocabulary's labels, read from the database by the caller)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.core.i18n import LANGUAGES, negotiate, resolve
from app.core.reference import country_names

STRINGS_FILE = Path(__file__).with_name("strings.json")


@lru_cache
def strings() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(STRINGS_FILE.read_text(encoding="utf-8"))
    return data


def texts(lang: str) -> dict[str, Any]:
    return strings()[lang]


def language_names() -> dict[str, str]:
    return {lang: str(strings()[lang]["language_name"]) for lang in LANGUAGES}


def pick_language(accept_language: str | None) -> str:
    """The reader's language from Accept-Language, English when none of ours is asked for."""
    return negotiate(accept_language) or "en"


def country_name(code: str, lang: str) -> str:
    names = country_names(LANGUAGES).get(code)
    return resolve(names, lang, "en")[0] or code if names else code


def kind_name(kind: str, lang: str) -> str:
    return str(texts(lang)["kinds"].get(kind) or kind.replace("_", " ").capitalize())


def field_name(field: str, lang: str) -> str:
    return str(texts(lang)["fields"].get(field) or field.replace("_", " ").capitalize())


def value_name(value: str, lang: str | None = None) -> str:
    """An enumerated value (a status, a type) in the reader's words where strings.json has them,
    else as words: `in_force` → `in force`."""
    named = texts(lang)["values"].get(value) if lang else None
    return str(named) if named else value.replace("_", " ")


def topic_name(slug: str, labels: dict[str, dict[str, str]], lang: str) -> str:
    return resolve(labels.get(slug), lang, "en")[0] or slug
