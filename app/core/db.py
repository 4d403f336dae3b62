"""Engine and sessions. The engine is made in the app's lifespan; the request session commits once,
at the end of a request that raised nothing, and before the response is sent: the dependency has
function scope, so a 2xx means committed and a failed commit becomes an error response."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Annotated, Any, cast

import asyncpg
import orjson
from fastapi import Depends, Request
from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.errors import RETRYABLE_SQLSTATE, CommitFailed, Conflict, ConflictRetry, sqlstate
from app.core.services import services_of

_SCHEMES = {"postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg2"}
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def asyncpg_url(url: str) -> str:
    """Any conventional PostgreSQL URL (`postgresql://`, `postgres://`, `postgresql+psycopg://` …)
    as the asyncpg URL SQLAlchemy wants; query parameters are kept (see `engine_args`)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        raise ValueError(
            f"DATABASE_URL must start with postgresql:// or postgres:// (got {scheme or url!r}://)"
        )
    return "postgresql+asyncpg://" + rest


def engine_args(url: str) -> tuple[str, dict[str, Any]]:
    """The URL without libpq-only parameters, and what asyncpg takes for them: `sslmode`,
    `sslrootcert`, `sslcert`, `sslkey` become an `ssl` mode or context; `connect_timeout` the
    connection timeout; `application_name` a server setting."""
    u = make_url(asyncpg_url(url))
    query = {k: (v if isinstance(v, str) else v[-1]) for k, v in u.query.items()}
    args: dict[str, Any] = {}
    mode = query.pop("sslmode", None)
    rootcert, cert, key = (
        query.pop("sslrootcert", None),
        query.pop("sslcert", None),
        query.pop("sslkey", None),
    )
    if mode is not None and mode not in _SSL_MODES:
        raise ValueError(f"sslmode must be one of {', '.join(sorted(_SSL_MODES))} (got {mode!r})")
    if mode in ("verify-ca", "verify-full") or rootcert or cert:
        context = ssl.create_default_context(cafile=rootcert)
        context.check_hostname = mode == "verify-full"
        if mode in (None, "require", "prefer", "allow") and not rootcert:
            context.verify_mode = ssl.CERT_NONE
        if cert:
            context.load_cert_chain(cert, key)
        args["ssl"] = context
    elif mode is not None:
        args["ssl"] = mode if mode != "disable" else False
    if "connect_timeout" in query:
        args["timeout"] = float(query.pop("connect_timeout"))
    settings = {"application_name": query.pop("application_name", "migrantkb")}
    return u.set(query=query).render_as_string(hide_password=False), {"server_settings": settings, **args}


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, pool_timeout: float = 10.0
) -> AsyncEngine:
    clean, args = engine_args(url)
    args["server_settings"]["lock_timeout"] = "5s"
    # Bounded waits, so a database that is away costs a request seconds, not minutes: connecting
    # (unless the URL says otherwise), any one statement, and waiting for a pooled connection.
    args.setdefault("timeout", 5.0)
    args["command_timeout"] = 30.0
    # orjson reads the JSONB columns (titles, summaries, …): json.loads was a tenth of a list's time.
    return create_async_engine(
        clean,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_timeout=pool_timeout,
        connect_args=args,
        json_deserializer=orjson.loads,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


Callback = Callable[[], Awaitable[object]]


def on_commit(session: AsyncSession, callback: Callback) -> None:
    """Runs `callback` once the unit of work holding `session` has committed (work that must not
    happen for a change that was not saved: removing bytes a deleted row named)."""
    session.info.setdefault("on_commit", []).append(callback)


def on_rollback(session: AsyncSession, callback: Callback) -> None:
    """Runs `callback` once the unit of work holding `session` has rolled back, or its commit has
    failed (undoing what was done outside the database: bytes stored for a row never saved)."""
    session.info.setdefault("on_rollback", []).append(callback)


async def _run(session: AsyncSession, when: str) -> None:
    callbacks = session.info.pop(when, [])
    session.info.pop("on_commit", None)
    session.info.pop("on_rollback", None)
    for callback in callbacks:
        await callback()


class UnitOfWork:
    """The one place a request's (or a command's) transaction ends: `async with
    UnitOfWork(sessionmaker) as session:` commits when the block raised nothing, rolls back when it
    raised, then runs the callbacks registered with `on_commit`/`on_rollback`. Services only flush.
    A commit that fails is an error: a deferred constraint 409, a deadlock or serialization failure
    503 conflict-retry, anything else 503 not-saved."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory

    async def __aenter__(self) -> AsyncSession:
        self.session = self.factory()
        return self.session

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        session = self.session
        try:
            if exc is not None:
                await session.rollback()
                await _run(session, "on_rollback")
                return
            try:
                await session.commit()
            except BaseException as failed:
                if session.info.get("on_rollback"):
                    await session.rollback()
                    await _run(session, "on_rollback")
                mapped = _commit_error(failed)
                if mapped is failed:
                    raise
                raise mapped from failed
            await _run(session, "on_commit")
        finally:
            await session.close()


def _commit_error(exc: BaseException) -> BaseException:
    if isinstance(exc, IntegrityError):  # a deferred constraint
        return Conflict("The change conflicts with the stored data and was not saved.")
    if isinstance(exc, DBAPIError):  # serialization failure, dropped connection, server going away
        return ConflictRetry() if sqlstate(exc) in RETRYABLE_SQLSTATE else CommitFailed()
    return exc


class JobUnit:
    """The job code's own unit of work (and any short transaction outside a request): `async with
    JobUnit(sessionmaker) as unit:` … `await unit.checkpoint()` commits what is done so far, so no
    transaction is held while Meilisearch, a model or a webhook target takes its time … committed on
    exit, rolled back on error. Its errors are the worker's to retry, not mapped to responses."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory

    async def __aenter__(self) -> JobUnit:
        self.session = self.factory()
        return self

    async def checkpoint(self) -> None:
        await self.session.commit()

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        try:
            await (self.session.rollback() if exc is not None else self.session.commit())
        finally:
            await self.session.close()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with UnitOfWork(services_of(request).sessions()) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session: the same connection, the same transaction."""
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    return cast(asyncpg.Connection, raw)


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column = ANY(:values)`: one array parameter however many values (an IN list of 5,000 bind
    parameters cost more to compile than to run, in every indexer batch)."""
    return cast(ColumnElement[bool], column == any_(bindparam(None, list(values), type_=ARRAY(column.type))))
