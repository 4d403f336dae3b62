"""A 2xx means committed: through a real server (the in-process transport would wait for the
session's teardown and hide the race), a record created by one client is there for another client
at once; a commit that fails turns into an error response and leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import factories
from tests.support.servers import api_key, api_server, empty_database, server_env

# A deferred constraint: checked only at COMMIT, after every statement of the request succeeded.
FAIL_AT_COMMIT = [
    """CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = 'check_violation'; END $$""",
    """CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON records
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.slug LIKE 'refused-at-commit%')
    EXECUTE FUNCTION refuse_at_commit()""",
]
DROP_FAIL_AT_COMMIT = [
    "DROP TRIGGER IF EXISTS refuse_at_commit ON records",
    "DROP FUNCTION IF EXISTS refuse_at_commit()",
]


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    env = server_env(database_url)
    editor = api_key(env, "editor", "commit")
    try:
        with api_server(env) as url:
            yield url, editor
    finally:
        empty_database(database_url)


async def test_a_created_record_is_readable_by_another_client_at_once(
    server: tuple[str, dict[str, str]],
) -> None:
    url, editor = server
    missing = []
    async with httpx.AsyncClient(base_url=url) as writer, httpx.AsyncClient(base_url=url) as reader:
        for n in range(150):
            body = factories.law(slug=f"law-read-your-writes-{n}")
            made = await writer.post("/v1/laws", json=body, headers=editor)
            assert made.status_code == 201, made.text
            got = await reader.get(f"/v1/laws/{body['slug']}")
            if got.status_code != 200:
                missing.append((n, got.status_code))
            patched = await writer.patch(
                f"/v1/laws/{body['slug']}", json={"number": f"N-{n}"}, headers=editor
            )
            assert patched.status_code == 200, patched.text
            again = await reader.get(f"/v1/laws/{body['slug']}")
            if again.status_code != 200 or again.json()["number"] != f"N-{n}":
                missing.append((n, "patch not visible"))
    assert missing == []


async def test_a_commit_that_fails_is_an_error_and_writes_nothing(
    server: tuple[str, dict[str, str]], engine: AsyncEngine
) -> None:
    url, editor = server
    async with engine.begin() as conn:
        for statement in FAIL_AT_COMMIT:
            await conn.exec_driver_sql(statement)
    try:
        async with httpx.AsyncClient(base_url=url) as c:
            body = factories.law(slug="refused-at-commit-1")
            r = await c.post("/v1/laws", json=body, headers=editor)
            assert r.status_code == 409, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["status"] == 409
            assert (await c.get("/v1/laws/refused-at-commit-1")).status_code == 404
            # The same request without the refused slug goes through on the same server.
            ok = await c.post("/v1/laws", json=factories.law(slug="accepted-at-commit-1"), headers=editor)
            assert ok.status_code == 201
    finally:
        async with engine.begin() as conn:
            for statement in DROP_FAIL_AT_COMMIT:
                await conn.exec_driver_sql(statement)
