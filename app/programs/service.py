from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import field_error
from app.keys.service import Viewer
from app.models import Participant, Program, Record
from app.programs.schemas import ProgramIn, ProgramOut
from app.records.service import RecordService
from app.records.spec import KindSpec

PROGRAM = KindSpec(
    kind="program",
    plural="programs",
    model=Program,
    in_schema=ProgramIn,
    out_schema=ProgramOut,
    date_column="start_on",
    sorts=("slug", "updated_at", "created_at", "start_on", "end_on"),
    custom_fields=frozenset({"participants"}),
)


class ProgramService(RecordService):
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        super().__init__(session, PROGRAM, viewer)

    async def resolve_custom(self, data: dict[str, Any], refs: dict[str, Any]) -> list[dict[str, Any]]:
        participants = data.get("participants") or []
        slugs = [("organization", p["organization"]) for p in participants if p.get("organization")]
        ids = await self.repo.ids_by_slug(slugs)
        errors = []
        resolved: list[uuid.UUID | None] = []
        for i, p in enumerate(participants):
            org = p.get("organization")
            if org and ("organization", org) not in ids:
                errors.append(
                    field_error(["participants", i, "organization"], f"no organization {org!r}", "ref")
                )
            resolved.append(ids.get(("organization", org)) if org else None)
        refs["participants"] = resolved
        return errors

    def apply_custom(self, record: Record, data: dict[str, Any], refs: dict[str, Any], *, new: bool) -> None:
        assert isinstance(record, Program)
        record.participants = [
            Participant(
                organization_id=refs["participants"][i],
                name=None if refs["participants"][i] else p.get("name"),
                role=p["role"],
                position=i,
            )
            for i, p in enumerate(data.get("participants") or [])
        ]
