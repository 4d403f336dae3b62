from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.core.db import SessionDep
from app.keys.dependencies import ViewerDep
from app.programs.schemas import Role
from app.programs.service import ProgramService
from app.records.params import check_choices, literal_values, split_multi


async def program_service(session: SessionDep, viewer: ViewerDep) -> ProgramService:
    return ProgramService(session, viewer)


ProgramServiceDep = Annotated[ProgramService, Depends(program_service)]


async def roles(
    role: Annotated[
        list[str] | None,
        Query(
            description="donor, implementer, partner: with `organization`, that organization's role.",
            examples=["donor"],
        ),
    ] = None,
) -> list[str]:
    return check_choices("role", split_multi(role), literal_values(Role))


async def organizations(
    organization: Annotated[
        list[str] | None,
        Query(description="Slugs of organizations taking part.", examples=["org-iom"]),
    ] = None,
) -> list[str]:
    return split_multi(organization)
