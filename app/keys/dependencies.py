from __future__ import annotations

import time
import uuid
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.db import JobUnit, SessionDep
from app.core.errors import Forbidden, Unauthorized
from app.core.services import services_of
from app.keys.service import KeyService, Viewer

_bearer = HTTPBearer(
    scheme_name="ApiKey",
    auto_error=False,
    description=(
        "An API key: `Authorization: Bearer mkb_…`. Reads need none (an editor's key also shows "
        "drafts); writes need an editor or admin key."
    ),
)
# Declared (OpenAPI `security`) on the operations that need a key, and only there: a public read
# asks generated clients and /docs for none.
KeyRequired = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


TOUCH_SECONDS = 60.0


async def _touch(request: Request, key_id: uuid.UUID) -> None:
    """The key's last use, in a short transaction of its own, at most once a minute per key and
    process: inside a write's transaction its row lock met the webhook trigger's in a deadlock, and
    a write that failed took the time with it."""
    services = services_of(request)
    touched = services.key_touches
    now = time.monotonic()
    if now - touched.get(key_id, -TOUCH_SECONDS) < TOUCH_SECONDS:
        return
    touched[key_id] = now
    async with JobUnit(services.sessions()) as unit:
        await KeyService(unit.session).touch(key_id)


async def get_viewer(session: SessionDep, request: Request) -> Viewer:
    """The key sent, if any, on any route: read from the header here, not declared, so that public
    reads stay free of a security requirement."""
    credentials = await _bearer(request)
    if credentials is None:
        return Viewer()
    viewer = await KeyService(session).authenticate(credentials.credentials)
    if viewer is None or viewer.key_id is None:
        raise Unauthorized("The API key is unknown, revoked or expired.")
    await _touch(request, viewer.key_id)
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


async def require_editor(viewer: ViewerDep, _: KeyRequired) -> Viewer:
    if not viewer.is_editor:
        raise Unauthorized("This operation needs an API key with the editor or admin role.")
    return viewer


async def require_admin(viewer: ViewerDep, _: KeyRequired) -> Viewer:
    if not viewer.is_editor:
        raise Unauthorized("This operation needs an API key with the admin role.")
    if not viewer.may("admin"):
        raise Forbidden("This operation needs the admin role; this key is an editor key.")
    return viewer


EditorDep = Annotated[Viewer, Depends(require_editor)]
AdminDep = Annotated[Viewer, Depends(require_admin)]
