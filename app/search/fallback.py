"""Search from PostgreSQL when Meilisearch is unreachable: the same response shape, marked degraded.
Titles in one Latin form (records.search_text) with pg_trgm word similarity; facets by SQL counts. Attached
documents are searched too: a page holding every word of the query (each word's start, so that
inflected forms meet) makes its record a hit, with the page named.

The matches are a UNION of the records whose text matches and the records whose pages do, each
half read through its own trigram index (ix_records_search_text, ix_attachment_pages_folded_text);
a correlated page subquery ORed into the records' condition read every page of every record."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    and_,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import one_of
from app.core.i18n import resolve
from app.core.text import in_latin
from app.models import Attachment, AttachmentPage, Record, visible
from app.registry import SPECS
from app.search.analysis import highlight
from app.search.params import SearchParams
from app.search.query import Query
from app.search.schemas import DocumentMatch, Hit

FOLD_FROM, FOLD_TO = "'қғңөүұәіһҳҷӣўӯё'", "'кгнооууаиххчиууе'"

# Each kind's main date, whichever kind the row is.
_DATE = func.coalesce(*(spec.column(spec.date_column) for spec in SPECS if spec.date_column))


def _folded(column: Any) -> Any:
    """Text folded in SQL as app.core.text.fold folds in Python (special letters only). The letters
    are written into the SQL, not bound: ix_attachment_pages_folded_text is on this expression, and
    a prepared statement's generic plan matches an index expression only on constants."""
    return func.translate(func.lower(column), literal_column(FOLD_FROM), literal_column(FOLD_TO))


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


def page_holds_a_word(query: str) -> Any:
    """A page's condition: it holds one of the folded query's words (its stem), read through the
    pages' trigram index; where the words are all too short to match on, none (false)."""
    stems = _stems(query)
    if not stems:
        return literal(False)
    return or_(*(_folded(AttachmentPage.text).like(s, escape="\\") for s in stems))


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _joined() -> Any:
    joined: Any = Record.__table__
    for spec in SPECS:
        joined = joined.outerjoin(spec.model.__table__, spec.model.id == Record.id)
    return joined


def _page_matches(query: str) -> Any:
    """Ids of the records with a page holding every word of the query (its stem)."""
    return (
        select(Attachment.record_id.label("id"))
        .join(AttachmentPage, AttachmentPage.attachment_id == Attachment.id)
        .where(*(_folded(AttachmentPage.text).like(s, escape="\\") for s in _stems(query)))
    )


def _matches(params: SearchParams, query: str) -> Any:
    """Ids of the records the words find, or None when no words were asked for: each part of the
    UNION is read through its own index (the summaries' part excepted: see search_text)."""
    if params.scope == "documents":
        return _page_matches(query)
    if not query:
        return None
    words = query.split()[:12]
    long_words = [w for w in words if len(w) > 2]
    # Any word close enough (trigram word similarity), so typos and partial matches still find;
    # words of one or two letters (о, в, of) only with the whole query: alone they match most rows.
    # search_text holds titles in one Latin form (app.records.service.search_text): so do these.
    romans = [in_latin(w) for w in long_words]
    parts = [
        select(Record.id).where(
            or_(
                *(Record.search_text.op("%>")(w) for w in romans if w),
                Record.search_text.op("%>")(in_latin(query)),
            )
        )
    ]
    if long_words:
        parts.append(
            select(Record.id).where(
                or_(*(_FOLDED_SUMMARY.like(f"%{_escape(w)}%", escape="\\") for w in long_words))
            )
        )
    if _stems(query):
        parts.append(_page_matches(query))
    return union(*parts)


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
    matches = _matches(params, query)
    if matches is not None:
        conds.append(Record.id.in_(matches))
    return conds


def _summary(found: Any, names: list[str]) -> Any:
    """One statement over the matches (computed once): their count, each facet's counts as a JSON
    object, and the ids of the page of hits in order."""
    columns: dict[str, Any] = {
        "kind": found.c.kind,
        "country": func.unnest(found.c.countries),
        "topic": func.unnest(found.c.topics),
        "status": found.c.status,
        "year": found.c.year,
    }
    counts = []
    for name in names:
        sub = select(columns[name].label("v")).select_from(found).subquery()
        grouped = (
            select(sub.c.v, func.count().label("n")).where(sub.c.v.is_not(None)).group_by(sub.c.v).subquery()
        )
        agg = func.coalesce(func.jsonb_object_agg(grouped.c.v, grouped.c.n), literal_column("'{}'::jsonb"))
        counts.append(select(agg).scalar_subquery().label(f"facet_{name}"))
    return counts


def matches(params: SearchParams, query: str) -> Any:
    """The records found (a CTE), with what the hits' order and the facets need."""
    score = func.word_similarity(literal(in_latin(query)), Record.search_text) if query else literal(1.0)
    return (
        select(
            Record.id,
            Record.slug,
            Record.kind,
            Record.status,
            Record.countries,
            Record.topics,
            func.substr(_DATE, 1, 4).label("year"),
            score.label("score"),
        )
        .select_from(_joined())
        .where(and_(*_conditions(params, query)))
        .cte("found")
        .prefix_with("MATERIALIZED")
    )


async def fallback_search(
    session: AsyncSession, params: SearchParams, parsed: Query
) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]]:
    query = parsed.folded
    # The matches once (not once for the hits, once for the total and once per facet), then the
    # page of hits with, for those alone, the page of a document that holds the words.
    found = matches(params, query)
    order = (found.c.score.desc(), found.c.slug)
    top = select(found.c.id, found.c.score, found.c.slug).order_by(*order)
    ranked = top.limit(params.limit).offset(params.offset).subquery()
    summary = (
        await session.execute(
            select(
                select(func.count()).select_from(found).scalar_subquery().label("total"),
                select(func.array_agg(aggregate_order_by(ranked.c.id, ranked.c.score.desc(), ranked.c.slug)))
                .scalar_subquery()
                .label("ids"),
                *_summary(found, params.facets),
            )
        )
    ).one()
    ids = list(summary.ids or [])
    score = func.word_similarity(literal(in_latin(query)), Record.search_text) if query else literal(1.0)
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
        .where(one_of(Record.id, ids))
    )
    found_rows = {r.id: dict(r._mapping) for r in (await session.execute(stmt)).all()} if ids else {}
    rows = [found_rows[i] for i in ids if i in found_rows]
    facets = {
        name: {str(v): int(n) for v, n in (getattr(summary, f"facet_{name}") or {}).items()}
        for name in params.facets
    }
    return rows, summary.total, facets


def fallback_hit(r: dict[str, Any], lang: str, wanted: AbstractSet[str]) -> Hit:
    """A row of `fallback_search` as a hit, in the reader's language where the record has it."""
    title, title_lang = resolve(r["title"], lang, r["original_language"])
    snippet, snippet_lang = resolve(r["summary"], lang, r["original_language"])
    return Hit(
        kind=r["kind"],
        id=r["id"],
        slug=r["slug"],
        title=title or r["slug"],
        title_lang=title_lang,
        snippet=snippet,
        snippet_lang=snippet_lang,
        countries=r["countries"],
        topics=r["topics"],
        status=r["status"],
        date=r["date"],
        score=float(r["score"]),
        document=DocumentMatch(
            attachment=r["document_attachment"],
            page=r["document_page"],
            snippet=highlight(r["document_text"], wanted)[0],
        )
        if r["document_attachment"]
        else None,
    )
