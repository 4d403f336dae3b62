from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.i18n import LocalizedText


class CountryOut(BaseModel):
    code: str = Field(examples=["KG"])
    name: str = Field(description="Name in the display language.", examples=["Кыргызстан"])
    names: dict[str, str] = Field(examples=[{"en": "Kyrgyzstan", "ru": "Киргизия", "ky": "Кыргызстан"}])
    records: int = Field(description="Published records about this country.", examples=[31])


class TopicOut(BaseModel):
    slug: str = Field(examples=["labour-migration"])
    label: str = Field(description="Label in the display language.", examples=["Трудовая миграция"])
    labels: dict[str, str]
    records: int = Field(description="Published records on this topic.", examples=[40])


class TopicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")] = Field(
        examples=["climate-migration"]
    )
    labels: LocalizedText = Field(
        min_length=1, examples=[{"en": "Climate migration", "ru": "Климатическая миграция"}]
    )


class ReferenceList(BaseModel):
    items: list[CountryOut] | list[TopicOut]
    total: int
