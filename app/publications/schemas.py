from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.core.i18n import NO_NUL, IsoLanguage
from app.core.partial_date import PartialDate, earliest_day
from app.events.schemas import ConcernRef
from app.records.schemas import (
    DocumentText,
    RecordFields,
    RecordMeta,
    Slug,
    WriteMeta,
    participant_schemas,
    unique,
)

PubType = Literal[
    "report",
    "briefing",
    "policy_brief",
    "research",
    "press_release",
    "news",
    "guide",
    "training_module",
    "participants_list",
    "agenda",
    "presentation",
    "video",
    "photo_gallery",
    "other",
]
PubStatus = Literal["available", "forthcoming", "withdrawn", "unknown"]
PublisherRole = Literal["publisher", "author", "funder"]
PublisherIn, PublisherOut = participant_schemas(PublisherRole, "Publisher")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NO_NUL)]
# A date this far ahead is a typing error, not an announcement.
MAX_AHEAD = dt.timedelta(days=366)


def _not_far_ahead(value: str | None) -> str | None:
    if value is not None and earliest_day(value) > dt.date.today() + MAX_AHEAD:
        raise ValueError("more than a year from today; give the date it was or will be released")
    return value


class PublicationFields(BaseModel):
    pub_type: PubType = Field(examples=["report"])
    status: PubStatus = Field("unknown", examples=["available"])
    published_on: PartialDate | None = Field(None, description="At most a year ahead.", examples=["2014"])
    _ahead = field_validator("published_on")(_not_far_ahead)
    languages: list[IsoLanguage] = Field(
        default_factory=list, max_length=50, description="Languages it exists in.", examples=[["en", "ru"]]
    )
    authors: list[Name] = Field(
        default_factory=list, max_length=200, description="Authors' names.", examples=[["A. Researcher"]]
    )
    url: AnyHttpUrl | None = Field(None, description="Where it is published.")
    events: list[Slug] = Field(default_factory=list, max_length=100, description="Events it came out of.")
    program: Slug | None = Field(None, description="Slug of the program it belongs to.")
    concerns: list[ConcernRef] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=100, description="Laws and policies it deals with."
    )
    _unique = field_validator("languages", "authors", "events", "concerns")(unique)


_EXAMPLE: dict[str, Any] = {
    "slug": "pub-kg-customs-union-research-2014",
    "title": {"en": "Kyrgyzstan's accession to the Customs Union: what it means for migrants"},
    "countries": ["KG"],
    "topics": ["labour-migration"],
    "pub_type": "research",
    "published_on": "2014",
    "languages": ["en", "ru", "ky"],
    "publishers": [{"name": "Social Research Center, AUCA", "role": "publisher"}],
    "publication": "published",
}


class PublicationIn(WriteMeta, PublicationFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})
    publishers: list[PublisherIn] = Field(default_factory=list, max_length=200)  # type: ignore[valid-type]


class PublicationOut(RecordMeta, PublicationFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    publishers: list[PublisherOut] = Field(default_factory=list)  # type: ignore[valid-type]
