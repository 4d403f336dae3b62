"""Fields every record kind shares, for request bodies and responses alike."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.core.i18n import NO_NUL, ContentLanguage, LocalizedText, TranslationKind
from app.core.partial_date import PartialDate, ends_before
from app.core.reference import CountryCode
from app.records.catalog import CATALOG

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


def _known_kind(value: str) -> str:
    if value not in CATALOG.kinds:
        raise ValueError(f"unknown kind {value!r}; use one of: {', '.join(CATALOG.kinds)}")
    return value


def _kind_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = list(CATALOG.kinds)


# A kind's name, checked against the catalog when a body is read (the registry imports the kinds'
# schemas, which import this module, so the names cannot be a Literal here).
RecordKind = Annotated[
    str, AfterValidator(_known_kind), Field(json_schema_extra=_kind_enum, examples=["law"])
]


def _known_relation_type(value: str) -> str:
    """The error a `Literal` of the types gives (they were one before the kinds declared them)."""
    if value not in CATALOG.relation_types:
        quoted = [repr(t) for t in CATALOG.relation_types]
        expected = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
    return value


def _relation_type_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = list(CATALOG.relation_types)


# "related" and every type a kind declares (`KindSpec.relates`), checked like `RecordKind`.
RelationType = Annotated[
    str,
    AfterValidator(_known_relation_type),
    Field(json_schema_extra=_relation_type_enum),
]


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
    role: str | None = Field(
        None,
        description="For participants (type `participant`): the organization's role.",
        examples=["donor"],
    )


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


def after(start: str) -> Any:
    """A field validator for a period's end: not before `start` (a field declared before it), so
    the error points at the end."""

    def check(value: str | None, info: ValidationInfo) -> str | None:
        begun = info.data.get(start)
        if ends_before(begun, value):
            raise ValueError(f"the end ({value}) is before `{start}` ({begun})")
        return value

    return check


def participant_schemas(roles: Any, title: str) -> tuple[type[BaseModel], type[BaseModel]]:
    """The body and response models of a kind's participants (app/records/spec.py Participants):
    `{organization: slug}` where the organization has a record, `{name}` otherwise, with a role."""

    class ParticipantIn(BaseModel):
        model_config = ConfigDict(extra="forbid", title=f"{title}In")
        organization: Slug | None = Field(None, description="Slug of an organization record.")
        name: ShortText | None = Field(
            None, description="Plain-text name, when no organization record exists."
        )
        role: roles = Field(examples=[roles.__args__[0]])

        @model_validator(mode="after")
        def _one_of(self) -> Any:
            if not self.organization and not self.name:
                raise ValueError("give `organization` (a slug) or `name`")
            return self

    class ParticipantOut(BaseModel):
        model_config = ConfigDict(title=f"{title}Out")
        organization: str | None = Field(description="Organization slug, when linked.")
        organization_id: uuid.UUID | None
        name: dict[str, str] | str | None = Field(
            description="Linked organization's names, or the plain-text name."
        )
        role: roles

    return ParticipantIn, ParticipantOut


def record_ref(kinds: Any, title: str) -> type[BaseModel]:
    """A link to a record of one of several kinds (app/records/spec.py Link): `{kind, slug}`."""

    class Ref(BaseModel):
        model_config = ConfigDict(extra="forbid", title=title, frozen=True)
        kind: kinds = Field(description="The other record's kind.", examples=[kinds.__args__[0]])
        slug: Slug

    return Ref


def unique(values: list[Any] | None) -> list[Any] | None:
    """A list validator's body: repeated entries once, in order."""
    return None if values is None else _unique(values)
