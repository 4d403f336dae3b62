from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.db import SessionDep
from app.core.errors import Forbidden, Unauthorized
from app.keys.service import KeyService, Viewer

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key: `Authorization: Bearer mkb_…`. Reads need none; writes need editor or admin.",
)


async def get_viewer(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Viewer:
    if credentials is None:
        return Viewer()
    viewer = await KeyService(session).authenticate(credentials.credentials)
    if viewer is None:
        raise Unauthorized("The API key is unknown, revoked or expired.")
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


async def require_editor(viewer: ViewerDep) -> Viewer:
    if not viewer.is_editor:
        raise Unauthorized("This operation needs an API key with the editor or admin role.")
    return viewer


async def require_admin(viewer: ViewerDep) -> Viewer:
    if not viewer.is_editor:
        raise Unauthorized("This operation needs an API key with the admin role.")
    if not viewer.may("admin"):
        raise Forbidden("This operation needs the admin role; this key is an editor key.")
    return viewer


EditorDep = Annotated[Viewer, Depends(require_editor)]
AdminDep = Annotated[Viewer, Depends(require_admin)]
