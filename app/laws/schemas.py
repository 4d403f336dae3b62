from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.partial_date import PartialDate
from app.core.reference import CountryCode
from app.records.schemas import DocumentText, RecordFields, RecordMeta, ShortText, WriteMeta

InstrumentType = Literal[
    "constitution",
    "code",
    "law",
    "decree",
    "resolution",
    "order",
    "regulation",
    "treaty",
    "convention",
    "agreement",
    "other",
]
LawStatus = Literal["in_force", "amended", "repealed", "not_in_force", "draft", "unknown"]


class Ratification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: CountryCode
    action: Literal["signature", "ratification", "accession", "not_party"] = Field(examples=["ratification"])
    date: PartialDate | None = None


class LawFields(BaseModel):
    instrument_type: InstrumentType = Field(examples=["law"])
    number: ShortText | None = Field(None, description="Official number.", examples=["61"])
    issuing_body: ShortText | None = Field(None, examples=["Jogorku Kenesh"])
    adopted_on: PartialDate | None = None
    in_force_on: PartialDate | None = None
    status: LawStatus = Field("unknown", examples=["in_force"])
    status_as_of: PartialDate | None = Field(None, description="Date the status was last known true.")
    official_publication: ShortText | None = Field(None, examples=["Vedomosti Jogorku Kenesha 2000, No. 7"])
    ratifications: list[Ratification] = Field(default_factory=list, max_length=300)


_EXAMPLE: dict[str, Any] = {
    "slug": "law-kg-external-migration-2000",
    "title": {"en": 'Law "On External Migration"', "ru": "О внешней миграции"},
    "summary": {"en": "Entry, stay and exit of foreigners and stateless persons."},
    "original_language": "ru",
    "countries": ["KG"],
    "topics": ["residence-registration", "labour-migration"],
    "instrument_type": "law",
    "number": "61",
    "adopted_on": "2000-07-17",
    "status": "amended",
    "translation_kinds": {"en": "unofficial"},
    "publication": "published",
}


class LawIn(WriteMeta, LawFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})


class Amendment(BaseModel):
    id: uuid.UUID
    slug: str
    title: dict[str, str]
    adopted_on: str | None
    in_force_on: str | None
    href: str


class AsOf(BaseModel):
    date: str = Field(examples=["2014-01-01"])
    in_force: bool = Field(description="Whether the law may have been in force that day (see `in_force_on`).")
    amended_by: list[str] = Field(description="Slugs of the amendments in effect by then, in order.")
    version: str = Field(examples=["as amended by law-kg-amendment-2013"])
    dates_uncertain: bool = Field(description="True when the dates cannot settle the answer.")


class LawOut(RecordMeta, LawFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    amendments: list[Amendment] | None = Field(
        None,
        description="In a law's detail: the laws in the base amending it, in the order they took effect.",
    )
    as_of: AsOf | None = Field(None, description="In a law's detail asked with `as_of=`: the law that day.")
    dates_uncertain: bool | None = Field(
        None,
        description=(
            "Only in lists filtered by a day (`in_force_on`, `active_on`): true when the record's "
            "dates are too coarse, or missing, to be sure it was in effect that day."
        ),
    )
