from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.laws.dependencies import LawServiceDep, instrument_types, numbers
from app.laws.repository import law_filters
from app.laws.service import LAW, LawService
from app.records.params import LangDep, ListParamsDep
from app.records.router import add_record_routes, list_response, list_route_kwargs

router = APIRouter(prefix="/laws", tags=["Laws"])


@router.get(
    "", **list_route_kwargs(LAW), description="Sort by slug, updated_at, created_at, adopted_on, in_force_on."
)
async def list_laws(
    request: Request,
    service: LawServiceDep,
    params: ListParamsDep,
    lang: LangDep,
    instrument_type: Annotated[list[str], Depends(instrument_types)],
    number: Annotated[list[str], Depends(numbers)],
) -> Response:
    return await list_response(request, service, params, lang, law_filters(instrument_type, number))


add_record_routes(router, LAW, LawService)
