"""A record's history, newest first, a page at a time (editors): each change with the version it
replaced and the merge patch it made."""

from __future__ import annotations

from typing import Any

import json_merge_patch
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.core.pagination import cursor_int, decode_cursor, encode_cursor
from app.records.present import editable
from app.records.repository import RecordRepository
from app.records.spec import KindSpec

_SORT = "-version"


async def revision_page(
    session: AsyncSession, spec: KindSpec, key: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], int, str | None]:
    """Items, total and the next page's cursor. Deleted records keep their history."""
    repo = RecordRepository(session, spec)
    record = await repo.get(key, with_deleted=True)
    if record is None:
        raise NotFound(f"No {spec.kind} with id or slug {key!r}.")
    through = None
    if cursor:
        through = cursor_int(decode_cursor(cursor, _SORT, 1)[0], bits=32)  # versions are integers
    # From the previous page's last revision down: it holds the version this page's first one made.
    rows = list(await repo.revisions(record.id, limit + 2, through=through))
    context = rows.pop(0) if through is not None and rows and rows[0].version == through else None
    page, more = rows[:limit], len(rows) > limit
    # Revision v keeps version v-1; version v itself is kept by revision v+1, or is the record.
    body_of = {r.version - 1: r.snapshot for r in ([context] if context else []) + page}
    body_of[record.version] = editable(record, spec)
    items = []
    for r in page:
        after = body_of.get(r.version)
        items.append(
            {
                "version": r.version,
                "action": r.action,
                "at": r.at,
                "key_id": r.key_id,
                "previous": r.snapshot,
                "diff": json_merge_patch.create_patch(r.snapshot or {}, after) if after is not None else None,
            }
        )
    next_cursor = encode_cursor(_SORT, [str(page[-1].version)]) if more else None
    return items, await repo.count_revisions(record.id), next_cursor
