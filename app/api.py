import importlib

from fastapi import APIRouter, Depends

from app.attachments.router import attachment_router
from app.changes.router import router as changes
from app.core.errors import Busy, InternalError
from app.core.routing import problem_responses
from app.exports.router import router as exports
from app.imports.router import router as imports
from app.keys.dependencies import get_viewer
from app.records.router import kind_router
from app.reference.router import router as reference
from app.registry import SPECS
from app.search.router import router as search
from app.site.feed import router as feeds
from app.timeline.router import router as timeline
from app.webhooks.router import router as webhooks

# A key that is sent is checked on every /v1 route, public ones included: a wrong or revoked key is
# a 401, never silently read as anonymous.
# Any route may find every database connection in use (503 busy) or fail unforeseen (500).
api_router = APIRouter(
    prefix="/v1", dependencies=[Depends(get_viewer)], responses=problem_responses(Busy, InternalError)
)
api_router.include_router(search)
api_router.include_router(feeds)
for spec in SPECS:
    if spec.routes:  # before the shared routes: `/{plural}/{key}/…` paths of the kind's own
        module, _, name = spec.routes.partition(":")
        api_router.include_router(getattr(importlib.import_module(module), name))
    api_router.include_router(kind_router(spec))
    if spec.attachments:
        api_router.include_router(attachment_router(spec))
for router in (timeline, reference, imports, exports, changes, webhooks):
    api_router.include_router(router)
