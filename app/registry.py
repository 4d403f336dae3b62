"""The four record kinds, by name, for code that handles any of them (import, seed, search)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from app.keys.service import Viewer
from app.laws.service import LAW, LawService
from app.organizations.service import ORGANIZATION, OrganizationService
from app.policies.service import POLICY, PolicyService
from app.programs.service import PROGRAM, ProgramService
from app.records.service import RecordService
from app.records.spec import KindSpec

KINDS: dict[str, tuple[KindSpec, Callable[[AsyncSession, Viewer], RecordService]]] = {
    "law": (LAW, LawService),
    "policy": (POLICY, PolicyService),
    "program": (PROGRAM, ProgramService),
    "organization": (ORGANIZATION, OrganizationService),
}
