from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.i18n import LocalizedText
from app.core.partial_date import PartialDate
from app.core.reference import CurrencyCode
from app.records.schemas import DocumentText, RecordFields, RecordMeta, ShortText, Slug, WriteMeta

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


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization: Slug | None = Field(None, description="Slug of an organization record.")
    name: ShortText | None = Field(None, description="Plain-text name, when no organization record exists.")
    role: Role = Field(examples=["implementer"])

    @model_validator(mode="after")
    def _one_of(self) -> ParticipantIn:
        if not self.organization and not self.name:
            raise ValueError("give `organization` (a slug) or `name`")
        return self


class ParticipantOut(BaseModel):
    organization: str | None = Field(description="Organization slug, when linked.")
    organization_id: uuid.UUID | None
    name: dict[str, str] | str | None = Field(
        description="Linked organization's names, or the plain-text name."
    )
    role: Role


class ProgramFields(BaseModel):
    start_on: PartialDate | None = None
    end_on: PartialDate | None = None
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
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=200)


class ProgramOut(RecordMeta, ProgramFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    participants: list[ParticipantOut] = Field(default_factory=list)
