"""An indicator as editors write it and as reads show it (a record kind: name and definition in
every language with their translation marking, unit, topics, an external code), and its sources
and observations as the API shows them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.i18n import LocalizedText
from app.core.pagination import Page
from app.records.schemas import RecordFields, RecordMeta, ShortText, WriteMeta

IndicatorStatus = Literal["active", "discontinued", "unknown"]


class IndicatorText(BaseModel):
    name: LocalizedText = Field(
        min_length=1,
        examples=[
            {"en": "Personal remittances received (% of GDP)", "ru": "Личные денежные переводы (% ВВП)"}
        ],
    )
    definition: LocalizedText = Field(default_factory=dict)


class IndicatorFields(BaseModel):
    unit: ShortText = Field(description="What the values count or measure.", examples=["percent of GDP"])
    code: ShortText | None = Field(
        None,
        description="The series code of the publisher (World Bank WDI, SDG, SDMX), when there is one.",
        examples=["BX.TRF.PWKR.DT.GD.ZS"],
    )
    status: IndicatorStatus = Field("active", examples=["active"])


_EXAMPLE: dict[str, Any] = {
    "slug": "remittances-gdp",
    "name": {"en": "Personal remittances received (% of GDP)", "ru": "Личные денежные переводы (% ВВП)"},
    "unit": "percent of GDP",
    "code": "BX.TRF.PWKR.DT.GD.ZS",
    "topics": ["remittances"],
    "publication": "published",
}


class IndicatorIn(WriteMeta, IndicatorFields, IndicatorText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})


class SourceOut(BaseModel):
    key: str = Field(examples=["src-wdi-2026-04"])
    publisher: str = Field(examples=["World Bank"])
    title: str
    url: str | None
    vintage: str | None = Field(description="Which release of the figures.", examples=["2026-04"])
    via: str | None = Field(
        description="Set when the values were read from a copy or a report citing the publisher: say so "
        "wherever they are shown.",
        examples=["as reported by 24.kg"],
    )


class Coverage(BaseModel):
    observations: int
    countries: list[str] = Field(description="Countries and aggregates with values.", examples=[["KG", "TJ"]])
    periods: list[str] = Field(description="Every period with a value, in time order.")
    first: str | None = Field(description="The earliest period.", examples=["2008"])
    last: str | None = Field(description="The latest period.", examples=["2024"])


class IndicatorOut(RecordMeta, IndicatorFields, IndicatorText, RecordFields):
    model_config = ConfigDict(extra="ignore")
    sources: list[SourceOut] | None = Field(
        None, description="In a detail: the sources its values come from."
    )
    coverage: Coverage | None = Field(None, description="In a detail: the countries and periods covered.")


class ObservationOut(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-2, or a regional aggregate.", examples=["KG"])
    region: list[str] = Field(description="An aggregate's member countries; empty for a country.")
    period: str = Field(
        description="A year, a month, a quarter or an interval: `2022`, `2024-12`, `2023-Q1`, "
        "`2019-01/2019-06`.",
        examples=["2022"],
    )
    start: str = Field(description="The first day of the period.", examples=["2022-01-01"])
    end: str = Field(description="The last day of the period.", examples=["2022-12-31"])
    value: float = Field(examples=[24.2])
    disaggregation: dict[str, str] = Field(
        description="Breakdown of the value (destination, sex …); empty for a total.",
        examples=[{"destination": "RU"}],
    )
    note: str | None = Field(examples=["rounded"])
    source: str = Field(description="The source's key (see `sources`).", examples=["src-wdi-2026-04"])


class ObservationPage(Page[ObservationOut]):
    sources: list[SourceOut] = Field(description="The sources of the items on this page.")
