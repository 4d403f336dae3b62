from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.keys.service import Viewer
from app.laws.schemas import LawIn, LawOut
from app.models import Law
from app.records.service import RecordService
from app.records.spec import KindSpec

LAW = KindSpec(
    kind="law",
    plural="laws",
    model=Law,
    in_schema=LawIn,
    out_schema=LawOut,
    date_column="adopted_on",
    sorts=("slug", "updated_at", "created_at", "adopted_on", "in_force_on"),
)


class LawService(RecordService):
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        super().__init__(session, LAW, viewer)
