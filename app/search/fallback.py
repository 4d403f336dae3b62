"""Search from PostgreSQL when Meilisearch is unreachable: the same response shape, marked degraded.
Folded text (records.search_text) with pg_trgm word similarity; facets by SQL counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, Text, and_, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.text import fold
from app.models import Record, visible
from app.registry import SPECS
from app.search.params import SearchParams

# Each kind's main date, whichever kind the row is.
_DATE = func.coalesce(*(spec.column(spec.date_column) for spec in SPECS if spec.date_column))


# The summaries, folded in SQL as app.core.text.fold folds in Python (special letters only).
_FOLDED_SUMMARY = func.translate(
    func.lower(cast(Record.summary, Text)), "қғңөүұәіһҳҷӣўӯё", "кгнооууаиххчиууе"
)


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _joined() -> Any:
    joined: Any = Record.__table__
    for spec in SPECS:
        joined = joined.outerjoin(spec.model.__table__, spec.model.id == Record.id)
    return joined


def _conditions(params: SearchParams, query: str) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [visible()]
    if params.kinds:
        conds.append(Record.kind.in_(params.kinds))
    if params.countries:
        conds.append(Record.countries.overlap(params.countries))
    if params.topics:
        conds.append(Record.topics.overlap(params.topics))
    if params.statuses:
        conds.append(Record.status.in_(params.statuses))
    year = cast(func.substr(_DATE, 1, 4), Integer)
    if params.year_from is not None:
        conds.append(year >= params.year_from)
    if params.year_to is not None:
        conds.append(year <= params.year_to)
    if query:
        words = query.split()[:12]
        # Any word close enough (trigram word similarity), so typos and partial matches still find.
        conds.append(
            or_(
                *(Record.search_text.op("%>")(w) for w in words),
                Record.search_text.op("%>")(query),
                *(_FOLDED_SUMMARY.like(f"%{_escape(w)}%", escape="\\") for w in words if len(w) > 2),
            )
        )
    return conds


async def fallback_search(
    session: AsyncSession, params: SearchParams
) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]]:
    if params.scope == "documents":
        # Document text is searched in Meilisearch only; degraded answers say so (`degraded`).
        return [], 0, {}
    query = fold(params.q)
    conds = _conditions(params, query)
    score = func.word_similarity(literal(query), Record.search_text) if query else literal(1.0)
    stmt = (
        select(
            Record.id,
            Record.kind,
            Record.slug,
            Record.title,
            Record.summary,
            Record.original_language,
            Record.countries,
            Record.topics,
            Record.status,
            _DATE.label("date"),
            score.label("score"),
        )
        .select_from(_joined())
        .where(and_(*conds))
        .order_by(score.desc(), Record.slug)
        .limit(params.limit)
        .offset(params.offset)
    )
    rows = [dict(r._mapping) for r in (await session.execute(stmt)).all()]
    total = (
        await session.execute(select(func.count()).select_from(_joined()).where(and_(*conds)))
    ).scalar_one()
    facets: dict[str, dict[str, int]] = {}
    for name in params.facets:
        column: Any = {
            "kind": Record.kind,
            "country": func.unnest(Record.countries),
            "topic": func.unnest(Record.topics),
            "status": Record.status,
            "year": func.substr(_DATE, 1, 4),
        }[name]
        sub = select(column.label("v")).select_from(_joined()).where(and_(*conds)).subquery()
        counted = await session.execute(
            select(sub.c.v, func.count()).where(sub.c.v.is_not(None)).group_by(sub.c.v)
        )
        facets[name] = {str(v): n for v, n in counted.all()}
    return rows, total, facets
