"""Engine and sessions. The engine is made in the app's lifespan; the request session commits once,
at the end of a request that raised nothing, and before the response is sent: the dependency has
function scope, so a 2xx means committed and a failed commit becomes an error response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.errors import CommitFailed, Conflict


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": "migrantkb", "lock_timeout": "5s"}},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            try:
                await session.commit()
            except IntegrityError as exc:  # a deferred constraint
                raise Conflict("The change conflicts with the stored data and was not saved.") from exc
            except DBAPIError as exc:  # serialization failure, dropped connection, server going away
                raise CommitFailed from exc


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
