"""No N+1: a list costs the same number of SQL statements for 1 item as for 20."""

from __future__ import annotations

import httpx
import pytest

from tests.support.factories import PLURAL, create
from tests.support.fixtures import QueryCounter


@pytest.mark.parametrize("kind", list(PLURAL))
async def test_list_query_count_is_flat(
    client: httpx.AsyncClient, editor: dict[str, str], queries: QueryCounter, kind: str
) -> None:
    org = await create(client, editor, "organization")
    base = await create(client, editor, "law")

    async def add_one() -> None:
        extra: dict[str, object] = {}
        if kind in ("law", "policy"):
            extra["related"] = [{"type": "related", "kind": "law", "slug": base["slug"]}]
        if kind == "program":
            extra["participants"] = [{"organization": org["slug"], "role": "donor"}]
        await create(client, editor, kind, **extra)

    await add_one()
    queries.reset()
    assert (await client.get(f"/v1/{PLURAL[kind]}?limit=100")).status_code == 200
    few = queries.count
    for _ in range(12):
        await add_one()
    queries.reset()
    page = (await client.get(f"/v1/{PLURAL[kind]}?limit=100")).json()
    assert len(page["items"]) >= 13
    assert queries.count == few, queries.statements
    assert few <= 6
