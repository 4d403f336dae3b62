"""The PostgreSQL search (Meilisearch away) reads its matches through its trigram indexes: the
records' folded titles and codes, and the attachment pages' folded text (issue #24: a common word
scanned every record and every page, 30 s over 72,000 records)."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.text import fold
from app.search.fallback import matches
from app.search.index import FACET_NAMES
from app.search.params import SearchParams
from tests.support.factories import create


def _params(q: str, scope: str = "all") -> SearchParams:
    return SearchParams(q, [], [], [], [], None, None, 10, 0, list(FACET_NAMES), scope)


async def _plan(connection: AsyncConnection, params: SearchParams) -> str:
    found = matches(params, fold(params.q))
    stmt = select(func.count()).select_from(found)
    compiled = stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    sql = str(compiled).replace("%%", "%")  # the pyformat escape of %
    # The test base is small: without this the planner rightly reads it whole.
    await connection.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(row[0] for row in await connection.execute(text("EXPLAIN " + sql)))


async def test_the_degraded_search_reads_its_indexes(connection: AsyncConnection) -> None:
    plan = await _plan(connection, _params("трудовых мигрантов право"))
    assert "ix_records_search_text" in plan, plan
    assert "ix_attachment_pages_folded_text" in plan, plan
    documents = await _plan(connection, _params("трудовых мигрантов", "documents"))
    assert "ix_attachment_pages_folded_text" in documents and "ix_records_search_text" not in documents


async def test_the_degraded_search_meets_titles_across_scripts(
    client: httpx.AsyncClient, editor: dict[str, str]
) -> None:
    """No Meilisearch here: /v1/search answers from PostgreSQL, whose titles are in one Latin form,
    and the query is put in the same form, whichever script (or letters) it was typed in."""
    title = {"ru": "О внешней трудовой миграции", "uz": "Tashqi mehnat"}
    hit = await create(client, editor, "law", title=title)
    await create(client, editor, "law", title={"en": "Roadmap on remittances"})
    for q in ("внешней миграции", "vneshnei migratsii", "ВНЕШНЕЙ", "TASHQI mehnat"):
        r = await client.get("/v1/search", params={"q": q})
        body = r.json()
        assert r.status_code == 200 and body["degraded"] is True, body
        assert [h["slug"] for h in body["hits"]][:1] == [hit["slug"]], (q, body["hits"])
