from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.organizations.dependencies import (
    OrganizationServiceDep,
    languages,
    org_types,
    participant_roles,
    services,
)
from app.organizations.repository import organization_filters
from app.organizations.service import ORGANIZATION, OrganizationService
from app.records.params import LangDep, ListParamsDep
from app.records.router import add_record_routes, list_response, list_route_kwargs

router = APIRouter(prefix="/organizations", tags=["Organizations"])


@router.get(
    "", **list_route_kwargs(ORGANIZATION), description="Sort by slug, updated_at, created_at, founded."
)
async def list_organizations(
    request: Request,
    service: OrganizationServiceDep,
    params: ListParamsDep,
    lang: LangDep,
    org_type: Annotated[list[str], Depends(org_types)],
    service_: Annotated[list[str], Depends(services)],
    language: Annotated[list[str], Depends(languages)],
    role: Annotated[list[str], Depends(participant_roles)],
) -> Response:
    extra = organization_filters(org_type, service_, language, role)
    return await list_response(request, service, params, lang, extra)


add_record_routes(router, ORGANIZATION, OrganizationService)
