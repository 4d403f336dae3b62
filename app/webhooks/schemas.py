from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.i18n import NO_NUL
from app.core.reference import CountryCode
from app.records.schemas import TopicSlug
from app.registry import KINDS


def _kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"{value!r} is not one of {', '.join(KINDS)}")
    return value


Kind = Annotated[str, AfterValidator(_kind), Field(examples=["law"])]
Action = Literal["created", "updated", "deleted"]

_URL = Field(
    max_length=2000,
    description=(
        "Where to POST: http(s), no credentials in it. Loopback, private and link-local targets are "
        "refused unless the server's WEBHOOK_ALLOWED_HOSTS names them."
    ),
    examples=["https://bot.example.org/hooks/migrantkb"],
)


_Q = Field(
    None,
    max_length=500,
    pattern=NO_NUL,
    description=(
        "Follow a search, as `GET /v1/feeds/search.atom?q=` does: only changes of records whose titles, "
        "summaries or topics hold every word of it (in any language or script the search reads: "
        "inflections, transliteration, the countries, kinds and glossary terms it names)."
    ),
    examples=["трудовые мигранты"],
)


class WebhookIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "url": "https://bot.example.org/hooks/migrantkb",
                "kinds": ["law"],
                "actions": ["created", "updated"],
                "countries": ["KG", "KZ"],
                "topics": ["labour-migration"],
                "q": "трудовые мигранты",
            }
        },
    )

    url: str = _URL
    kinds: list[Kind] = Field(default_factory=list, max_length=20, description="Empty: every kind.")
    actions: list[Action] = Field(default_factory=list, max_length=3, description="Empty: every action.")
    countries: list[CountryCode] = Field(default_factory=list, max_length=300, description="Empty: any.")
    topics: list[TopicSlug] = Field(default_factory=list, max_length=50, description="Empty: any.")
    q: str | None = _Q


class WebhookPatch(BaseModel):
    """Fields to change; `enabled: true` turns a disabled subscription back on (from where it stopped)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=2000, examples=["https://bot.example.org/hooks/v2"])
    kinds: list[Kind] | None = Field(None, max_length=20)
    actions: list[Action] | None = Field(None, max_length=3)
    countries: list[CountryCode] | None = Field(None, max_length=300)
    topics: list[TopicSlug] | None = Field(None, max_length=50)
    q: str | None = Field(
        None, max_length=500, pattern=NO_NUL, description="New words to follow; an empty string: none."
    )
    enabled: bool | None = None


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    kinds: list[str]
    actions: list[str]
    countries: list[str]
    topics: list[str]
    q: str | None = Field(description="The search's words the subscription follows (null: none).")
    enabled: bool
    disabled_reason: str | None = Field(description="Why it was disabled (deliveries failing for a day).")
    cursor: int = Field(
        description="The last feed `seq` settled for this subscription (delivered or not wanted)."
    )
    failing_since: dt.datetime | None = Field(description="Since when the delivery now retried has failed.")
    created_at: dt.datetime
    secret: str | None = Field(
        None, description="The signing secret (`whsec_…`): in the answer to the POST only, never again."
    )


class DeliveryOut(BaseModel):
    id: int
    seq: int = Field(description="The change's feed `seq`.")
    message_id: str = Field(description="`webhook-id` of the message: the same on every attempt.")
    attempt: int
    ok: bool
    status_code: int | None
    error: str | None
    latency_ms: int | None
    at: dt.datetime
