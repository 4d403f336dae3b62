from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.i18n import LocalizedText
from app.core.partial_date import PartialDate
from app.records.schemas import (
    DocumentText,
    RecordFields,
    RecordMeta,
    Slug,
    WriteMeta,
    after,
    participant_schemas,
    record_ref,
    unique,
)

EventType = Literal[
    "workshop",
    "seminar",
    "roundtable",
    "conference",
    "training",
    "meeting",
    "consultation",
    "negotiation",
    "agreement",
    "award",
    "campaign",
    "other",
]
EventStatus = Literal["planned", "held", "postponed", "cancelled", "unknown"]
OrganizerRole = Literal["organizer", "co_organizer", "host", "funder", "partner", "participant"]
OrganizerIn, OrganizerOut = participant_schemas(OrganizerRole, "Organizer")
# Laws and policies an event or publication dealt with.
ConcernRef = record_ref(Literal["law", "policy"], "ConcernRef")


class EventFields(BaseModel):
    event_type: EventType = Field(examples=["roundtable"])
    status: EventStatus = Field("unknown", examples=["held"])
    starts_on: PartialDate | None = Field(None, examples=["2013-04-11"])
    ends_on: PartialDate | None = Field(None, description="On or after `starts_on`.", examples=["2013-04-11"])
    _period = field_validator("ends_on")(after("starts_on"))
    place: LocalizedText = Field(default_factory=dict, examples=[{"en": "Bishkek", "ru": "Бишкек"}])
    audience: LocalizedText = Field(
        default_factory=dict, examples=[{"en": "members of parliament, ministries, NGOs"}]
    )
    participants_count: int | None = Field(None, ge=0, le=10_000_000, examples=[45])
    outcomes: LocalizedText = Field(default_factory=dict)
    reform_activity: bool = Field(
        False, description="A step of a policy reform or negotiation (the timeline's reform steps)."
    )
    program: Slug | None = Field(None, description="Slug of the program it belongs to.")
    concerns: list[ConcernRef] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=100, description="Laws and policies it dealt with."
    )
    _unique = field_validator("concerns")(unique)


_EXAMPLE: dict[str, Any] = {
    "slug": "ev-kg-roundtable-migrant-rights-2013",
    "title": {"en": "Roundtable on the rights of Kyrgyz labour migrants"},
    "countries": ["KG"],
    "topics": ["labour-migration"],
    "event_type": "roundtable",
    "status": "held",
    "starts_on": "2013-04-11",
    "place": {"en": "Bishkek"},
    "reform_activity": True,
    "organizers": [{"name": "Social Research Center, AUCA", "role": "organizer"}],
    "publication": "published",
}


class EventIn(WriteMeta, EventFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})
    organizers: list[OrganizerIn] = Field(default_factory=list, max_length=200)  # type: ignore[valid-type]


class EventOut(RecordMeta, EventFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    organizers: list[OrganizerOut] = Field(default_factory=list)  # type: ignore[valid-type]
