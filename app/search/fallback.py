"""Search from PostgreSQL when Meilisearch is unreachable: the same response shape, marked degraded.
Folded text (records.search_text) with pg_trgm word similarity; facets by SQL counts. Attached
documents are searched too: a page holding every word of the query (each word's start, so that
inflected forms meet) makes its record a hit, with the page named."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, Text, and_, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.text import fold
from app.models import Attachment, AttachmentPage, Record, visible
from app.registry import SPECS
from app.search.params import SearchParams

# Each kind's main date, whichever kind the row is.
_DATE = func.coalesce(*(spec.column(spec.date_column) for spec in SPECS if spec.date_column))


def _folded(column: Any) -> Any:
    """Text folded in SQL as app.core.text.fold folds in Python (special letters only)."""
    return func.translate(func.lower(column), "қғңөүұәіһҳҷӣўӯё", "кгнооууаиххчиууе")


_FOLDED_SUMMARY = _folded(cast(Record.summary, Text))


def _stems(query: str) -> list[str]:
    """The words of a folded query as LIKE patterns on page text: long words lose their last two
    letters (мигранты finds мигрантов), words of one or two letters are left out."""
    words = [w for w in query.split()[:12] if len(w) > 2]
    return [f"%{_escape(w[: max(4, len(w) - 2)] if len(w) > 5 else w)}%" for w in words]


def _pages(query: str) -> Any:
    """The record's attachment pages that hold the query, first attachment and page first."""
    return (
        select(AttachmentPage.attachment_id, AttachmentPage.page, AttachmentPage.text)
        .join(Attachment, Attachment.id == AttachmentPage.attachment_id)
        .where(
            Attachment.record_id == Record.id,
            *(_folded(AttachmentPage.text).like(s, escape="\\") for s in _stems(query)),
        )
        .order_by(Attachment.created_at, Attachment.id, AttachmentPage.page)
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
    in_documents = _pages(query).exists()
    if params.scope == "documents":
        conds.append(in_documents)
    elif query:
        words = query.split()[:12]
        # Any word close enough (trigram word similarity), so typos and partial matches still find.
        conds.append(
            or_(
                *(Record.search_text.op("%>")(w) for w in words),
                Record.search_text.op("%>")(query),
                *(_FOLDED_SUMMARY.like(f"%{_escape(w)}%", escape="\\") for w in words if len(w) > 2),
                in_documents if _stems(query) else literal(False),
            )
        )
    return conds


async def fallback_search(
    session: AsyncSession, params: SearchParams
) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]]:
    query = fold(params.q)
    conds = _conditions(params, query)
    score = func.word_similarity(literal(query), Record.search_text) if query else literal(1.0)
    page = _pages(query).limit(1).lateral("page")
    joined = _joined()
    if _stems(query) or params.scope == "documents":  # which page: only when words were asked for
        document = [page.c.attachment_id, page.c.page, page.c.text]
        joined = joined.outerjoin(page, literal(True))
    else:
        document = [literal(None), literal(None), literal(None)]
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
            document[0].label("document_attachment"),
            document[1].label("document_page"),
            document[2].label("document_text"),
        )
        .select_from(joined)
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
