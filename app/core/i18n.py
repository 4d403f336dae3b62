"""Languages, localized text and the display-language fallback chain."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pycountry
from pydantic import AfterValidator, Field, StringConstraints

# The content languages: a constant, not a setting, because they are baked into the search analysis,
# vocabulary.json, the country names of the reference data and the OpenAPI texts.
LANGUAGES = ("en", "ru", "ky", "kk", "uz", "tg", "tk")
DEFAULT_LANGUAGE = "en"

TranslationKind = Literal["official", "unofficial", "machine"]

_TAG = re.compile(r"^[a-z]{2,3}$")


def _check_content_language(code: str) -> str:
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {code!r}; use one of {', '.join(LANGUAGES)}")
    return code


def _check_iso_language(code: str) -> str:
    if (
        not _TAG.match(code)
        or pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code}) is None
    ):
        raise ValueError(f"{code!r} is not an ISO 639 language code")
    return code


ContentLanguage = Annotated[
    str,
    AfterValidator(_check_content_language),
    Field(description="A content language of the base (en ru ky kk uz tg tk).", examples=["ru"]),
]
IsoLanguage = Annotated[
    str,
    AfterValidator(_check_iso_language),
    Field(description="ISO 639-1 (or 639-3) language code.", examples=["ky"]),
]
# PostgreSQL text cannot hold U+0000, so no string the API stores may contain it.
NO_NUL = r"^[^\x00]*$"
NonEmptyText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000, pattern=NO_NUL)
]
LocalizedText = Annotated[
    dict[ContentLanguage, NonEmptyText],
    Field(
        description="Text by language code. Uzbek in either script stays under `uz`.",
        examples=[{"en": "Law on External Migration", "ru": "О внешней миграции"}],
    ),
]


def resolve(
    text: dict[str, str] | None, requested: str, original: str | None
) -> tuple[str | None, str | None]:
    """Pick the display string: requested → original language → English → any (in LANGUAGES order)."""
    if not text:
        return None, None
    chain = [requested, original, "en", *LANGUAGES]
    for lang in chain:
        if lang and text.get(lang):
            return text[lang], lang
    lang = sorted(text)[0]
    return text[lang], lang


def translation_kind(lang: str | None, original: str | None, kinds: dict[str, str]) -> str | None:
    if lang is None:
        return None
    if lang in kinds:
        return kinds[lang]
    return "official" if lang == original else None


def display_block(
    fields: dict[str, dict[str, str] | None], requested: str, original: str | None, kinds: dict[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"lang": requested}
    for name, text in fields.items():
        value, lang = resolve(text, requested, original)
        out[name] = (
            None
            if value is None
            else {"text": value, "lang": lang, "translation": translation_kind(lang, original, kinds)}
        )
    return out


def negotiate(accept_language: str | None) -> str | None:
    """The best supported language in an Accept-Language header (q-values honoured), or None."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else None
