from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.core.db import SessionDep
from app.keys.dependencies import ViewerDep
from app.laws.schemas import InstrumentType
from app.laws.service import LawService
from app.records.params import check_choices, literal_values, split_multi


async def law_service(session: SessionDep, viewer: ViewerDep) -> LawService:
    return LawService(session, viewer)


LawServiceDep = Annotated[LawService, Depends(law_service)]


async def instrument_types(
    instrument_type: Annotated[
        list[str] | None,
        Query(
            description="constitution, code, law, decree, resolution, order, regulation, treaty, convention, "
            "agreement, other; OR within.",
            examples=["law,code"],
        ),
    ] = None,
) -> list[str]:
    return check_choices("instrument_type", split_multi(instrument_type), literal_values(InstrumentType))


async def numbers(
    number: Annotated[list[str] | None, Query(description="Official number(s).", examples=["61"])] = None,
) -> list[str]:
    return split_multi(number)
