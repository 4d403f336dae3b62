"""The timeline's SQL: one SELECT per dated step a kind declares (its spec's `timeline`), all in
one UNION ALL ordered by (date, id, what), with a keyset for pages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.partial_date import on_or_after, on_or_before
from app.models import Record, visible
from app.records.spec import KindSpec

_R = Record.__table__.c


@dataclass(frozen=True)
class Period:
    """Which steps: of records in these countries and topics (OR within), dated in the period."""

    countries: Sequence[str]
    topics: Sequence[str]
    date_from: str | None
    date_to: str | None


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _steps(self, specs: Sequence[KindSpec], period: Period) -> Any:
        parts = []
        for spec in specs:
            table = spec.model.__table__
            for moment in spec.timeline:
                column = table.c[moment.column]
                conds: list[ColumnElement[bool]] = [visible(_R), column.is_not(None)]
                if moment.statuses:
                    conds.append(_R.status.in_(moment.statuses))
                if period.countries:
                    conds.append(_R.countries.overlap(list(period.countries)))
                if period.topics:
                    conds.append(_R.topics.overlap(list(period.topics)))
                if period.date_from:
                    conds.append(on_or_after(column, period.date_from))
                if period.date_to:
                    conds.append(on_or_before(column, period.date_to))
                parts.append(
                    select(
                        column.label("date"),
                        _R.id,
                        literal(moment.what).label("what"),
                        _R.kind,
                        _R.slug,
                        _R.title,
                        _R.countries,
                        _R.topics,
                        _R.status,
                        _R.original_language,
                        _R.translation_kinds,
                    )
                    .select_from(Record.__table__.join(table, table.c.id == _R.id))
                    .where(*conds)
                )
        return union_all(*parts).subquery("steps")

    async def page(
        self,
        specs: Sequence[KindSpec],
        period: Period,
        *,
        after: list[str] | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], int]:
        steps = self._steps(specs, period)
        stmt = select(steps)
        if after is not None:
            stmt = stmt.where(
                tuple_(steps.c.date, steps.c.id, steps.c.what)
                > tuple_(literal(after[0]), literal(uuid.UUID(after[1])), literal(after[2]))
            )
        stmt = stmt.order_by(steps.c.date, steps.c.id, steps.c.what).limit(limit)
        connection = await self.session.connection()
        rows = [dict(r._mapping) for r in await connection.execute(stmt)]
        total = (await connection.execute(select(func.count()).select_from(steps))).scalar_one()
        return rows, int(total)
