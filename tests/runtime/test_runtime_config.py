"""Plain configuration and clear failures: the DATABASE_URL forms platforms hand out, one index
and one Meilisearch data directory per database, and one line (not a traceback) when the CLI
cannot start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.db import asyncpg_url, engine_args, make_engine
from app.runtime.meili import free_port, start_local
from app.runtime.postgres import create_database, drop_database
from tests.support.servers import run_cli


def _with_scheme(url: str, scheme: str, query: str = "") -> str:
    rest = url.split("://", 1)[1]
    return f"{scheme}://{rest}{query}"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg"])
async def test_conventional_database_urls_connect(database_url: str, scheme: str) -> None:
    url = _with_scheme(database_url, scheme, "?sslmode=disable&application_name=url-test&connect_timeout=5")
    engine = make_engine(Settings(database_url=url).database_url or "")
    try:
        async with engine.connect() as conn:
            name, db = (
                await conn.execute(text("SELECT current_setting('application_name'), current_database()"))
            ).one()
    finally:
        await engine.dispose()
    assert name == "url-test"
    assert db == make_url(database_url).database


def test_ssl_parameters_become_asyncpg_arguments(tmp_path: Path) -> None:
    _, args = engine_args("postgresql://u@h/db?sslmode=require")
    assert args["ssl"] == "require"
    _, args = engine_args("postgresql://u@h/db?sslmode=disable")
    assert args["ssl"] is False
    clean, args = engine_args("postgres://u@h:5433/db?sslmode=verify-full&connect_timeout=3")
    assert args["ssl"].check_hostname is True and args["timeout"] == 3.0
    assert clean == "postgresql+asyncpg://u@h:5433/db"  # nothing asyncpg would reject is left


@pytest.mark.parametrize("url", ["mysql://u@h/db", "h:5432/db", "postgresql://u@h/db?sslmode=sometimes"])
def test_unusable_database_urls_are_named(url: str) -> None:
    with pytest.raises(ValueError, match=r"DATABASE_URL|sslmode"):
        engine_args(asyncpg_url(url))


def test_each_database_has_its_own_index() -> None:
    a = Settings(database_url="postgresql://u@h:5432/one").meili_index
    b = Settings(database_url="postgresql://u@h:5432/two").meili_index
    c = Settings(database_url="postgresql://u@other:5432/one").meili_index
    assert len({a, b, c}) == 3
    assert a == Settings(database_url="postgres://u@h:5432/one").meili_index  # same database, same name
    assert Settings(database_url="postgresql://u@h/one", meili_index="chosen").meili_index == "chosen"


def test_one_meilisearch_per_data_directory(tmp_path: Path) -> None:
    first = start_local(tmp_path / "meili")
    try:
        with pytest.raises(RuntimeError, match="already running"):
            start_local(tmp_path / "meili")
        assert first.process is not None
        os.kill(first.process.pid, signal.SIGKILL)  # a crash releases the directory too
        first.process.wait()
        second = start_local(tmp_path / "meili")
        second.stop()
    finally:
        first.stop()


@pytest.fixture
def unmigrated(database_url: str) -> Iterator[str]:
    url = make_url(database_url).set(database=f"{make_url(database_url).database}_bare")
    rendered = url.render_as_string(hide_password=False)
    asyncio.run(create_database(rendered))
    yield rendered
    asyncio.run(drop_database(rendered))


def _free_port_taken() -> tuple[socket.socket, int]:
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    return held, held.getsockname()[1]


def test_foreseeable_failures_are_one_line(database_url: str, unmigrated: str) -> None:
    missing = (
        make_url(database_url).set(database="mkb_no_such_database").render_as_string(hide_password=False)
    )
    cases = {
        "not migrated": (["keys", "create", "--role", "editor"], {"DATABASE_URL": unmigrated}, "migrate"),
        "no such database": (["keys", "list"], {"DATABASE_URL": missing}, "does not exist"),
        "unreachable": (["keys", "list"], {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"}, "reach"),
        "bad url": (["keys", "list"], {"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        "no binary": (
            ["dev"],
            {"DATABASE_URL": database_url, "MEILI_URL": "", "MEILI_BIN": "/nonexistent/meilisearch"},
            "/nonexistent/meilisearch",
        ),
    }
    held, port = _free_port_taken()
    with held:
        cases["port taken"] = (
            ["serve", "--port", str(port)],
            {"DATABASE_URL": database_url, "MEILI_URL": ""},
            "already in use",
        )
        for name, (args, env, words) in cases.items():
            done = run_cli(*args, env=env)
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 1, (name, done.stderr)
            assert "Traceback" not in done.stderr, name
            assert lines[-1].startswith("error: ") and words in lines[-1], (name, lines)
    # The missing database was not created on the way.
    assert run_cli("keys", "list", env={"DATABASE_URL": missing}).returncode == 1
    debug = run_cli("keys", "list", "--debug", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_a_found_database_of_another_application_is_not_touched(database_url: str) -> None:
    """Only HOST/PORT set: the found server's database is named on one line, and one that holds
    another application's tables is refused (exit 1, one `error:` line), not migrated or seeded."""
    server = make_url(database_url)
    name = f"{server.database}_foreign"
    foreign = server.set(database=name).render_as_string(hide_password=False)

    async def make() -> None:
        await create_database(foreign)
        engine = make_engine(foreign, pool_size=1)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE invoices (id int PRIMARY KEY, total numeric)")
            await conn.exec_driver_sql("INSERT INTO invoices VALUES (1, 9.5)")
        await engine.dispose()

    async def tables() -> list[str]:
        engine = make_engine(foreign, pool_size=1)
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            names = sorted(found.scalars())
        await engine.dispose()
        return names

    asyncio.run(make())
    try:
        env = {"DATABASE_URL": "", "DATABASE_NAME": name, "HOST": "127.0.0.1", "PORT": str(free_port())}
        for command in (["migrate"], ["dev"]):
            done = run_cli(*command, env={**env, "MEILI_URL": "", "MEILI_BIN": "/nonexistent/meilisearch"})
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 1, (command, done.stdout, done.stderr)
            assert len(lines) == 1 and lines[0].startswith("error: "), lines
            assert f"database {name!r} on 127.0.0.1:5432" in lines[0] and "invoices" in lines[0], lines
            assert "Traceback" not in done.stderr
        assert asyncio.run(tables()) == ["invoices"]  # nothing migrated, nothing seeded
    finally:
        asyncio.run(drop_database(foreign))


def test_dev_names_the_database_it_uses(database_url: str) -> None:
    """A migrated base of ours is used as it is, and `dev` says which one before it starts anything."""
    env = {"DATABASE_URL": database_url, "MEILI_URL": "", "MEILI_BIN": "/nonexistent/meilisearch"}
    done = run_cli("dev", env=env)
    server = make_url(database_url)
    assert f"PostgreSQL: database {server.database!r} on 127.0.0.1:5432" in done.stdout, done.stdout
    assert ":" not in done.stdout.split(" as ", 1)[1].splitlines()[0]  # a user name, no password
    assert "/nonexistent/meilisearch" in done.stderr  # it went on past the database check
