"""The migrations that made participants any kind's and added events and publications keep what a
base held before them: a program's participants, the change feed and its cursors."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from app.core.db import make_engine, make_sessionmaker
from app.main import create_app
from app.runtime.migrations import ROOT
from app.runtime.postgres import create_database, drop_database

BEFORE = "3f8a6d2c1b70"  # the last revision with program_participants


def _alembic(url: str, verb: str, revision: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    getattr(command, verb)(config, revision)


@pytest.fixture
async def old_base(database_url: str) -> AsyncIterator[tuple[str, AsyncEngine]]:
    url = (
        make_url(database_url)
        .set(database=f"migrantkb_mig_{secrets.token_hex(3)}")
        .render_as_string(hide_password=False)
    )
    await create_database(url)
    await asyncio.to_thread(_alembic, url, "upgrade", BEFORE)
    engine = make_engine(url, pool_size=2)
    yield url, engine
    await engine.dispose()
    await drop_database(url)


async def _old_rows(engine: AsyncEngine) -> tuple[uuid.UUID, uuid.UUID]:
    org, program = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as c:
        for id_, kind, slug in ((org, "organization", "org-old"), (program, "program", "prog-old")):
            await c.execute(
                text(
                    "INSERT INTO records (id, kind, slug, title, summary, original_language, countries,"
                    " topics, source_urls, identifiers, translation_kinds, status, publication, editorial,"
                    " version)"
                    " VALUES (:id, :kind, :slug, CAST(:title AS jsonb), '{}', 'en', '{KG}', '{}', '{}', '[]',"
                    " '{}', 'active', 'published', '{}', 1)"
                ),
                {"id": id_, "kind": kind, "slug": slug, "title": f'{{"en": "Old {kind}"}}'},
            )
            await c.execute(
                text(
                    "INSERT INTO changes (record_id, kind, slug, action, version, public, public_before)"
                    " VALUES (:id, :kind, :slug, 'created', 1, true, false)"
                ),
                {"id": id_, "kind": kind, "slug": slug},
            )
        await c.execute(
            text(
                "INSERT INTO organizations (id, org_type, services, languages)"
                " VALUES (:id, 'ngo', '{}', '{}')"
            ),
            {"id": org},
        )
        await c.execute(
            text("INSERT INTO programs (id, goal, key_events) VALUES (:id, '{}', '[]')"), {"id": program}
        )
        await c.execute(
            text(
                "INSERT INTO program_participants (program_id, organization_id, name, role, position) VALUES"
                " (:p, :o, NULL, 'implementer', 0), (:p, NULL, 'A Donor', 'donor', 1)"
            ),
            {"p": program, "o": org},
        )
    return org, program


async def test_participants_and_the_feed_survive_the_migrations(old_base: tuple[str, AsyncEngine]) -> None:
    url, engine = old_base
    _, program = await _old_rows(engine)
    await asyncio.to_thread(_alembic, url, "upgrade", "head")
    app = create_app()
    app.state.services.sessionmaker = make_sessionmaker(engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        shown = (await client.get("/v1/programs/prog-old")).json()
        assert [(p["organization"], p["name"], p["role"]) for p in shown["participants"]] == [
            ("org-old", {"en": "Old organization"}, "implementer"),
            (None, "A Donor", "donor"),
        ]
        member = (await client.get("/v1/organizations/org-old")).json()["relations"]
        assert [(r["slug"], r["role"]) for r in member] == [("prog-old", "implementer")]
        feed = (await client.get("/v1/changes", params={"since": 0})).json()["items"]
        assert [(c["slug"], c["action"]) for c in feed] == [("org-old", "created"), ("prog-old", "created")]
        after = (await client.get("/v1/changes", params={"since": feed[0]["seq"]})).json()["items"]
        assert [c["slug"] for c in after] == ["prog-old"]  # a cursor from before still reads on
    # And back: the participants return to program_participants with their rows.
    await asyncio.to_thread(_alembic, url, "downgrade", BEFORE)
    async with engine.connect() as c:
        rows = (
            await c.execute(text("SELECT program_id, role FROM program_participants ORDER BY position"))
        ).all()
    assert [(r.program_id, r.role) for r in rows] == [(program, "implementer"), (program, "donor")]


async def test_records_long_text_is_compressed_with_lz4_where_the_server_has_it(engine: AsyncEngine) -> None:
    """pglz was about 6% of PostgreSQL's CPU in an import (summaries pass the 2 kB row threshold)."""
    async with engine.connect() as c:
        lz4 = await c.scalar(
            text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        )
        rows = await c.execute(
            text(
                "SELECT attname, attcompression::text FROM pg_attribute WHERE attrelid = 'records'::regclass"
                " AND attname IN ('title', 'summary', 'search_text')"
            )
        )
        methods = {name: method for name, method in rows.all()}
    assert lz4  # PostgreSQL as Debian and the official images build it
    assert methods == dict.fromkeys(("title", "summary", "search_text"), "l")
