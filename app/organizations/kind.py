"""The organization kind: who works on migrant rights."""

from __future__ import annotations

from app.models import Organization
from app.organizations.hsds import HSDS
from app.organizations.labels import LABELS
from app.organizations.popolo import POPOLO
from app.organizations.schemas import OrganizationIn, OrganizationOut, OrgType, Service
from app.records.catalog import CATALOG
from app.records.filters import OneOf, PartOf, literal_values
from app.records.spec import KindSpec

ORGANIZATION = KindSpec(
    kind="organization",
    plural="organizations",
    tag="Organizations",
    description="Who works on migrant rights: NGOs, agencies, legal clinics, donors.",
    model=Organization,
    in_schema=OrganizationIn,
    out_schema=OrganizationOut,
    title_field="name",
    summary_field="description",
    date_column="founded",
    sorts=("slug", "updated_at", "created_at", "founded"),
    filters=(
        OneOf(
            "org_type",
            "The kind of organization; OR within.",
            "ngo,legal_clinic",
            column=Organization.org_type,
            choices=literal_values(OrgType),
        ),
        OneOf(
            "service",
            "Services it offers; OR within.",
            "legal_aid",
            column=Organization.services,
            choices=literal_values(Service),
            array=True,
        ),
        OneOf(
            "language",
            "Languages the organization works in.",
            "ky",
            column=Organization.languages,
            lower=True,
            array=True,
        ),
        PartOf(
            "role",
            "Organizations taking one of these roles in another record (a program's donor …).",
            "donor",
            # Every role an organization can take in a record of any kind.
            roles=CATALOG.participant_roles,
        ),
    ),
    type_field="org_type",
    code_fields=("acronym",),
    context_fields=("city",),
    tag_fields=("services",),
    labels=LABELS,
    participant_target=True,
    csv_default=True,
    formats=(POPOLO, HSDS),
)
