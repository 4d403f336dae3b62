from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.core.db import SessionDep
from app.keys.dependencies import ViewerDep
from app.organizations.schemas import OrgType, Service
from app.organizations.service import OrganizationService
from app.records.params import check_choices, literal_values, split_multi


async def organization_service(session: SessionDep, viewer: ViewerDep) -> OrganizationService:
    return OrganizationService(session, viewer)


OrganizationServiceDep = Annotated[OrganizationService, Depends(organization_service)]


async def org_types(
    org_type: Annotated[
        list[str] | None,
        Query(
            description="ngo, government, intergovernmental, donor, academic, legal_clinic, network, media, "
            "other.",
            examples=["ngo,legal_clinic"],
        ),
    ] = None,
) -> list[str]:
    return check_choices("org_type", split_multi(org_type), literal_values(OrgType))


async def services(
    service: Annotated[
        list[str] | None,
        Query(
            description="legal_aid, shelter, hotline, training, research, psychosocial, advocacy, funding, "
            "information, other.",
            examples=["legal_aid"],
        ),
    ] = None,
) -> list[str]:
    return check_choices("service", split_multi(service), literal_values(Service))


async def languages(
    language: Annotated[
        list[str] | None, Query(description="Languages the organization works in.", examples=["ky"])
    ] = None,
) -> list[str]:
    return [v.lower() for v in split_multi(language)]


async def participant_roles(
    role: Annotated[
        list[str] | None,
        Query(
            description="Organizations that are donor, implementer or partner of some program.",
            examples=["donor"],
        ),
    ] = None,
) -> list[str]:
    return check_choices("role", split_multi(role), ["donor", "implementer", "partner"])
