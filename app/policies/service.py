from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.keys.service import Viewer
from app.models import Policy
from app.policies.schemas import PolicyIn, PolicyOut
from app.records.service import RecordService
from app.records.spec import KindSpec

POLICY = KindSpec(
    kind="policy",
    plural="policies",
    model=Policy,
    in_schema=PolicyIn,
    out_schema=PolicyOut,
    date_column="adopted_on",
    sorts=("slug", "updated_at", "created_at", "adopted_on", "period_start", "period_end"),
)


class PolicyService(RecordService):
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        super().__init__(session, POLICY, viewer)
