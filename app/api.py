from fastapi import APIRouter

from app.changes.router import router as changes
from app.exports.router import router as exports
from app.imports.router import router as imports
from app.laws.router import router as laws
from app.organizations.router import router as organizations
from app.policies.router import router as policies
from app.programs.router import router as programs
from app.reference.router import router as reference
from app.search.router import router as search

api_router = APIRouter(prefix="/v1")
for router in (search, laws, policies, programs, organizations, reference, imports, exports, changes):
    api_router.include_router(router)
