from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.core.db import SessionDep
from app.keys.dependencies import ViewerDep
from app.policies.schemas import PolicyType
from app.policies.service import PolicyService
from app.records.params import check_choices, literal_values, split_multi


async def policy_service(session: SessionDep, viewer: ViewerDep) -> PolicyService:
    return PolicyService(session, viewer)


PolicyServiceDep = Annotated[PolicyService, Depends(policy_service)]


async def policy_types(
    policy_type: Annotated[
        list[str] | None,
        Query(
            description="strategy, concept, action_plan, programme, decree, roadmap, agreement, other.",
            examples=["concept"],
        ),
    ] = None,
) -> list[str]:
    return check_choices("policy_type", split_multi(policy_type), literal_values(PolicyType))
