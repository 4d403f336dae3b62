from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.policies.dependencies import PolicyServiceDep, policy_types
from app.policies.repository import policy_filters
from app.policies.service import POLICY, PolicyService
from app.records.params import LangDep, ListParamsDep
from app.records.router import add_record_routes, list_response, list_route_kwargs

router = APIRouter(prefix="/policies", tags=["Policies"])


@router.get(
    "",
    **list_route_kwargs(POLICY),
    description="Sort by slug, updated_at, created_at, adopted_on, period_start, period_end.",
)
async def list_policies(
    request: Request,
    service: PolicyServiceDep,
    params: ListParamsDep,
    lang: LangDep,
    policy_type: Annotated[list[str], Depends(policy_types)],
) -> Response:
    return await list_response(request, service, params, lang, policy_filters(policy_type))


add_record_routes(router, POLICY, PolicyService)
