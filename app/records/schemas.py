"""Fields every record kind shares, for request bodies and responses alike."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.core.i18n import NO_NUL, ContentLanguage, LocalizedText, TranslationKind
from app.core.partial_date import PartialDate
from app.core.reference import CountryCode

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,118}$"),
    Field(description="Stable, URL-safe name, unique per kind.", examples=["law-kg-external-migration-2000"]),
]
TopicSlug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="A topic slug from `/v1/topics`.", examples=["labour-migration"]),
]
Publication = Literal["draft", "published", "archived"]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=NO_NUL)
]
RelationType = Literal["amends", "repeals", "implements", "based_on", "replaces", "related"]
RecordKind = Literal["law", "policy", "program", "organization"]


class Identifier(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scheme: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=NO_NUL)
    ] = Field(
        description="Numbering scheme: official-number, natlex-isn, iati, registry …", examples=["natlex-isn"]
    )
    value: ShortText = Field(examples=["57061"])


class Editorial(BaseModel):
    """How sure the editors are of the facts. Not itself a fact about the instrument."""

    model_config = ConfigDict(extra="forbid")
    confidence: Literal["verified", "partly verified"] | None = Field(None, examples=["verified"])
    notes: Annotated[str, StringConstraints(max_length=10000, pattern=NO_NUL)] | None = Field(
        None, examples=["Number and signing date taken from an ILO CEACR comment."]
    )


class RelationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: RelationType = Field(description="How this record relates to the other.", examples=["amends"])
    kind: RecordKind = Field(description="The other record's kind.", examples=["law"])
    slug: Slug


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


class RecordFields(BaseModel):
    """Fields every kind has, as written by editors."""

    model_config = ConfigDict(extra="forbid")

    original_language: ContentLanguage | None = Field(
        None, description="Language the record was first written in. Defaults to the first title language."
    )
    countries: list[CountryCode] = Field(
        default_factory=list,
        max_length=300,
        description="ISO 3166-1 alpha-2 codes; empty for global instruments.",
        examples=[["KG"]],
    )
    topics: list[TopicSlug] = Field(default_factory=list, max_length=50, examples=[["labour-migration"]])
    source_urls: list[AnyHttpUrl] = Field(
        default_factory=list,
        max_length=100,
        description="Where the facts come from.",
        examples=[["https://cbd.minjust.gov.kg/act/view/ru-ru/202309"]],
    )
    identifiers: list[Identifier] = Field(default_factory=list, max_length=50)
    last_verified_on: PartialDate | None = Field(None, description="When an editor last checked the source.")
    translation_kinds: dict[ContentLanguage, TranslationKind] = Field(
        default_factory=dict,
        description="How each language's text came to be; the original language is `official` or absent.",
        examples=[{"ru": "official", "en": "unofficial"}],
    )
    publication: Publication = Field(
        "draft", description="Only `published` records are visible without an API key."
    )
    editorial: Editorial | None = None
    related: list[RelationIn] = Field(default_factory=list, max_length=200, description="Outgoing relations.")

    @field_validator("countries", "topics", "related")
    @classmethod
    def _dedupe(cls, v: list[Any]) -> list[Any]:
        return _unique(v)


class DocumentText(BaseModel):
    """Laws, policies and programs have a title and a summary."""

    title: LocalizedText = Field(min_length=1)
    summary: LocalizedText = Field(default_factory=dict)


class OrganizationText(BaseModel):
    """Organizations have a name and a description."""

    name: LocalizedText = Field(min_length=1, examples=[{"en": "Legal Clinic Adilet", "ky": "Адилет"}])
    description: LocalizedText = Field(default_factory=dict)


class LocalizedValue(BaseModel):
    text: str = Field(examples=["О внешней миграции"])
    lang: str = Field(description="Language the text is in.", examples=["ru"])
    translation: TranslationKind | None = Field(
        description="official | unofficial | machine; null when not stated.", examples=["official"]
    )


class Display(BaseModel):
    lang: str = Field(description="The language asked for.", examples=["ru"])
    title: LocalizedValue | None = Field(description="Title or name in the best available language.")
    summary: LocalizedValue | None = Field(
        description="Summary or description in the best available language."
    )


class RelationOut(BaseModel):
    type: str = Field(examples=["amends"])
    direction: Literal["outgoing", "incoming"] = Field(
        description="`outgoing`: this record → other; `incoming`: other → this record.", examples=["outgoing"]
    )
    kind: RecordKind
    id: uuid.UUID
    slug: str
    title: dict[str, str] = Field(description="The other record's title (or name), all languages.")
    role: str | None = Field(None, description="For program participants: donor, implementer or partner.")


class RecordMeta(BaseModel):
    """Server-kept fields."""

    id: uuid.UUID = Field(examples=["7d1b0bde-8e70-4b5e-9f0a-2b1c3f3a9e10"])
    kind: RecordKind
    slug: Slug
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Bumps on every change; send it back in `If-Match`.", examples=[3])
    relations: list[RelationOut] = Field(default_factory=list, description="Both directions, drafts hidden.")
    display: Display | None = Field(None, description="Display strings for `lang`; absent with `lang=all`.")


class RevisionOut(BaseModel):
    version: int = Field(description="The version this change produced.", examples=[3])
    action: Literal["created", "updated", "deleted", "restored"]
    at: dt.datetime
    key_id: uuid.UUID | None = Field(description="The API key that made the change (null for the seed).")
    previous: dict[str, Any] = Field(
        description="The version this change replaced, as an editable body; empty for a creation."
    )
    diff: dict[str, Any] | None = Field(
        description="What the change did, as a JSON merge patch from `previous` (null past the page kept).",
        examples=[{"status": "expired"}],
    )


class WriteMeta(BaseModel):
    slug: Slug | None = Field(None, description="Omit to derive one from the English (or first) title.")
