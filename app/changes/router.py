from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.changes.repository import ChangeRepository, public_action
from app.changes.schemas import ChangeOut
from app.core.db import SessionDep
from app.core.errors import Unprocessable
from app.core.http import json_response
from app.core.pagination import Page
from app.core.routing import problem_responses
from app.keys.dependencies import ViewerDep

router = APIRouter(tags=["Change feed"])


@router.get(
    "/changes",
    name="list_changes",
    summary="What changed since you last looked: the ordered feed for mirroring the base",
    description=(
        "Every create, update and delete in commit order. Start with `since=0`, apply the items, "
        "then ask again with `since` = the last `seq` (or `next_cursor`). `next_cursor` is null when you "
        "have caught up; poll again later with your last `seq`."
    ),
    response_model=Page[ChangeOut],
    responses=problem_responses(Unprocessable),
)
async def list_changes(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    since: Annotated[
        int, Query(ge=0, le=2**62, description="The last `seq` you have processed.", examples=[0])
    ] = 0,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Items per page (at most 1000).", examples=[100])
    ] = 100,
) -> Response:
    rows, total = await ChangeRepository(session).after(since, limit, public_only=not viewer.is_editor)
    items = []
    for change in rows[:limit]:
        action = change.action if viewer.is_editor else public_action(change)
        if action is not None:
            items.append(
                ChangeOut(
                    seq=change.seq,
                    kind=change.kind,
                    id=change.record_id,
                    slug=change.slug,
                    action=action,
                    version=change.version,
                    at=change.at,
                )
            )
    next_cursor = str(rows[limit - 1].seq) if len(rows) > limit else None
    return json_response(request, Page[ChangeOut](items=items, total=total, next_cursor=next_cursor))
