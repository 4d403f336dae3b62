"""The columns a search document (and an embedding's passage) needs, in one joined query: no ORM
objects, since this runs for every record on a full reindex. Which kind columns it needs comes from
the kinds' specs (their date, type, code, context and tag fields)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import func, select

from app.models import Record
from app.registry import SPECS


def search_fields(spec: Any) -> list[str]:
    names = [spec.date_column, spec.type_field, *spec.code_fields, *spec.context_fields, *spec.tag_fields]
    return [n for n in names if n]


@lru_cache(maxsize=1)
def _kind_columns() -> tuple[list[Any], Any]:
    r = Record.__table__.c
    joined: Any = Record.__table__
    by_name: dict[str, list[Any]] = {}
    for spec in SPECS:
        table = spec.model.__table__
        joined = joined.outerjoin(table, table.c.id == r.id)
        for name in search_fields(spec):
            if table.c[name] not in by_name.setdefault(name, []):
                by_name[name].append(table.c[name])
    columns = [
        (cols[0] if len(cols) == 1 else func.coalesce(*cols)).label(name) for name, cols in by_name.items()
    ]
    return columns, joined


def rows_query() -> Any:
    r = Record.__table__.c
    columns, joined = _kind_columns()
    return select(
        r.id,
        r.kind,
        r.slug,
        r.version,
        r.original_language,
        r.title,
        r.summary,
        r.countries,
        r.topics,
        r.status,
        r.identifiers,
        r.publication,
        r.deleted_at,
        *columns,
    ).select_from(joined)
