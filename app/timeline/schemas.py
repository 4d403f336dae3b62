from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from app.core.pagination import Page
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


class TimelineSeries(BaseModel):
    kind: RecordKind
    slug: str = Field(examples=["remittances-gdp"])
    href: str = Field(examples=["/v1/indicators/remittances-gdp"])
    name: dict[str, str] = Field(description="All languages.")
    display: Display | None = None
    unit: str | None = Field(examples=["percent of GDP"])
    values: list[dict[str, Any]] = Field(
        description="Its values for the timeline's countries and years, each with its source's key."
    )
    sources: list[dict[str, Any]] = Field(description="The sources of those values.")


class TimelinePage(Page[TimelineEntry]):
    series: list[TimelineSeries] | None = Field(
        None, description="With `series=`: the values of those records beside the entries (every page)."
    )
