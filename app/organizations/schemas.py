from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.core.i18n import IsoLanguage
from app.core.partial_date import PartialDate
from app.records.schemas import OrganizationText, RecordFields, RecordMeta, ShortText, WriteMeta

OrgType = Literal[
    "ngo", "government", "intergovernmental", "donor", "academic", "legal_clinic", "network", "media", "other"
]
Service = Literal[
    "legal_aid",
    "shelter",
    "hotline",
    "training",
    "research",
    "psychosocial",
    "advocacy",
    "funding",
    "information",
    "other",
]
OrgStatus = Literal["active", "inactive", "unknown"]


class OrganizationFields(BaseModel):
    acronym: ShortText | None = Field(None, examples=["IOM"])
    org_type: OrgType = Field(examples=["ngo"])
    city: ShortText | None = Field(None, examples=["Bishkek"])
    address: ShortText | None = None
    website: ShortText | None = Field(None, examples=["https://example.org"])
    email: EmailStr | None = None
    phone: ShortText | None = None
    founded: PartialDate | None = Field(None, examples=["2002"])
    services: list[Service] = Field(default_factory=list, examples=[["legal_aid", "hotline"]])
    languages: list[IsoLanguage] = Field(default_factory=list, description="Languages it works in.")
    status: OrgStatus = Field("unknown", examples=["active"])


_EXAMPLE: dict[str, Any] = {
    "slug": "org-kg-adilet",
    "name": {"en": "Adilet Legal Clinic", "ru": "Юридическая клиника «Адилет»"},
    "countries": ["KG"],
    "topics": ["labour-migration"],
    "org_type": "legal_clinic",
    "city": "Bishkek",
    "services": ["legal_aid"],
    "status": "active",
    "publication": "published",
}


class OrganizationIn(WriteMeta, OrganizationFields, OrganizationText, RecordFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})


class OrganizationOut(RecordMeta, OrganizationFields, OrganizationText, RecordFields):
    model_config = ConfigDict(extra="ignore")
