from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.keys.service import Viewer
from app.models import Organization
from app.organizations.schemas import OrganizationIn, OrganizationOut
from app.records.service import RecordService
from app.records.spec import KindSpec

ORGANIZATION = KindSpec(
    kind="organization",
    plural="organizations",
    model=Organization,
    in_schema=OrganizationIn,
    out_schema=OrganizationOut,
    title_field="name",
    summary_field="description",
    date_column="founded",
    sorts=("slug", "updated_at", "created_at", "founded"),
)


class OrganizationService(RecordService):
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        super().__init__(session, ORGANIZATION, viewer)
