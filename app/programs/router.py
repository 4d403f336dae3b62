from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.programs.dependencies import ProgramServiceDep, organizations, roles
from app.programs.repository import program_filters
from app.programs.service import PROGRAM, ProgramService
from app.records.params import LangDep, ListParamsDep
from app.records.router import add_record_routes, list_response, list_route_kwargs

router = APIRouter(prefix="/programs", tags=["Programs"])


@router.get(
    "", **list_route_kwargs(PROGRAM), description="Sort by slug, updated_at, created_at, start_on, end_on."
)
async def list_programs(
    request: Request,
    service: ProgramServiceDep,
    params: ListParamsDep,
    lang: LangDep,
    organization: Annotated[list[str], Depends(organizations)],
    role: Annotated[list[str], Depends(roles)],
) -> Response:
    return await list_response(request, service, params, lang, program_filters(organization, role))


add_record_routes(router, PROGRAM, ProgramService)
