from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.partial_date import PartialDate
from app.records.schemas import DocumentText, RecordFields, RecordMeta, ShortText, WriteMeta, after

PolicyType = Literal[
    "strategy", "concept", "action_plan", "programme", "decree", "roadmap", "agreement", "other"
]
PolicyStatus = Literal["draft", "active", "expired", "superseded", "unknown"]


class PolicyFields(BaseModel):
    policy_type: PolicyType = Field(examples=["strategy"])
    issuing_body: ShortText | None = Field(None, examples=["Government of the Republic of Tajikistan"])
    instrument: ShortText | None = Field(None, examples=["Government Resolution No. 191"])
    adopted_on: PartialDate | None = None
    period_start: PartialDate | None = Field(None, examples=["2021"])
    period_end: PartialDate | None = Field(None, examples=["2030"])
    _period = field_validator("period_end")(after("period_start"))
    status: PolicyStatus = Field("unknown", examples=["active"])


_EXAMPLE: dict[str, Any] = {
    "slug": "policy-kz-migration-concept-2022-2026",
    "title": {"en": "Concept of Migration Policy 2022-2026", "ru": "Концепция миграционной политики"},
    "countries": ["KZ"],
    "topics": ["labour-migration"],
    "policy_type": "concept",
    "period_start": "2022",
    "period_end": "2026",
    "status": "active",
    "publication": "published",
}


class PolicyIn(WriteMeta, PolicyFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})


class PolicyOut(RecordMeta, PolicyFields, DocumentText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    dates_uncertain: bool | None = Field(
        None,
        description=(
            "Only in lists filtered by a day (`in_force_on`, `active_on`): true when the record's "
            "dates are too coarse, or missing, to be sure it was in effect that day."
        ),
    )
