from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from app.records.schemas import Display, RecordKind


class TimelineEntry(BaseModel):
    date: str = Field(description="When (a partial date: year, month or day).", examples=["2013-04-11"])
    what: str = Field(
        description="What happened: adopted, entered_into_force, period_started, period_ended, started, "
        "ended, held, released.",
        examples=["held"],
    )
    kind: RecordKind
    id: uuid.UUID
    slug: str = Field(examples=["ev-tspc-roundtable-big-public-council-2013-04-11"])
    href: str = Field(
        description="The record's own URL in this API.",
        examples=["/v1/events/ev-tspc-roundtable-big-public-council-2013-04-11"],
    )
    title: dict[str, str] = Field(description="The record's title (or name), all languages.")
    countries: list[str] = Field(examples=[["KG"]])
    topics: list[str] = Field(examples=[["labour-migration"]])
    status: str = Field(examples=["held"])
    display: Display | None = Field(None, description="Display strings for `lang`; absent with `lang=all`.")
