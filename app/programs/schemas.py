from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.i18n import LocalizedText
from app.core.partial_date import PartialDate
from app.core.reference import CurrencyCode
from app.records.schemas import DocumentText, RecordFields, RecordMeta, WriteMeta, after, participant_schemas

ProgramStatus = Literal["planned", "active", "completed", "suspended", "unknown"]
Role = Literal["donor", "implementer", "partner"]


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: float = Field(ge=0, le=1e15, examples=[4000000])
    currency: CurrencyCode


class KeyEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: PartialDate | None = None
    title: LocalizedText = Field(min_length=1)


ParticipantIn, ParticipantOut = participant_schemas(Role, "Participant")


class ProgramFields(BaseModel):
    start_on: PartialDate | None = None
    end_on: PartialDate | None = None
    _period = field_validator("end_on")(after("start_on"))
    status: ProgramStatus = Field("unknown", examples=["active"])
    budget: Budget | None = None
    goal: LocalizedText = Field(default_factory=dict)
    key_events: list[KeyEvent] = Field(default_factory=list, max_length=200)


_EXAMPLE: dict[str, Any] = {
    "slug": "program-safe-migration-central-asia",
    "title": {"en": "Safe and Fair Migration in Central Asia"},
    "countries": ["KG", "TJ"],
    "topics": ["labour-migration"],
    "start_on": "2021-01",
    "status": "active",
    "budget": {"amount": 4000000, "currency": "EUR"},
    "participants": [{"name": "International Organization for Migration", "role": "implementer"}],
    "publication": "published",
}


class ProgramIn(WriteMeta, ProgramFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=200)  # type: ignore[valid-type]


class ProgramOut(RecordMeta, ProgramFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    dates_uncertain: bool | None = Field(
        None,
        description=(
            "Only in lists filtered by a day (`in_force_on`, `active_on`): true when the record's "
            "dates are too coarse, or missing, to be sure it was in effect that day."
        ),
    )
    participants: list[ParticipantOut] = Field(default_factory=list)  # type: ignore[valid-type]
