from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import DOCUMENTS, Change

# Rows of transactions still running may commit with a smaller seq than rows already visible. Only
# rows older than the oldest running transaction are served, so a reader never skips one.
_SETTLED = Change.xid < text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


class ChangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def after(
        self, since: int, limit: int, *, public_only: bool, count: bool = True
    ) -> tuple[Sequence[Change], int]:
        """Up to `limit` + 1 settled changes after `since`, and how many there are in all (when
        `count`; else 0)."""
        conds = [Change.seq > since, _SETTLED]
        if public_only:
            conds.append(or_(Change.public, Change.public_before))
        else:
            conds.append(Change.action != DOCUMENTS)  # outbox-only (never public either)
        rows = (
            (await self.session.execute(select(Change).where(*conds).order_by(Change.seq).limit(limit + 1)))
            .scalars()
            .all()
        )
        if not count:
            return rows, 0
        total = (
            await self.session.execute(select(func.count()).select_from(Change).where(*conds))
        ).scalar_one()
        return rows, total


def public_action(change: Change) -> str | None:
    """The change as the public sees it: a record entering the public set is created there, one
    leaving it deleted; a change to a record the public never saw is no change at all."""
    if change.public and not change.public_before:
        return "created"
    if change.public:
        return change.action
    return "deleted" if change.public_before else None
