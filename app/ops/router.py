"""Liveness and readiness for load balancers and orchestrators (no /v1 prefix, no auth)."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select, text

from app.core.db import SessionDep
from app.core.observability import OUTBOX_LAG, OUTBOX_PENDING, VECTOR_BACKLOG
from app.core.services import services_of
from app.search.sync import outbox_lag
from app.search.vectors import vector_backlog

router = APIRouter(tags=["Operations"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str = Field(description="ok, or degraded when search answers from PostgreSQL.", examples=["ok"])
    postgres: bool
    meilisearch: bool
    outbox_pending: int = Field(description="Changes not yet in the search index.", examples=[0])
    outbox_lag_seconds: float = Field(description="Age of the oldest pending change.", examples=[0.0])
    vector_backlog: int = Field(
        description="Records searchable by keyword still waiting for their embedding (hybrid ranking).",
        examples=[0],
    )


test_router = APIRouter(include_in_schema=False)


@test_router.get("/_test/unhandled")
async def unhandled() -> None:
    """Mounted only when ENVIRONMENT=test: an error no handler knows, to test the 500 path on a
    real server."""
    raise RuntimeError("raised on purpose by /_test/unhandled")


@test_router.post("/_test/deadlock")
async def deadlock(request: Request, session: SessionDep) -> None:
    """Mounted only when ENVIRONMENT=test: a real deadlock between the request's transaction and
    another connection's, which take two advisory locks in opposite orders. The request waits
    first, so PostgreSQL's check (after deadlock_timeout) picks it as the one to roll back."""
    await session.execute(select(func.pg_advisory_xact_lock(DEADLOCK_KEYS[0])))
    async with services_of(request).sessions()() as other, other.begin():
        await other.execute(select(func.pg_advisory_xact_lock(DEADLOCK_KEYS[1])))
        mine = asyncio.create_task(session.execute(select(func.pg_advisory_xact_lock(DEADLOCK_KEYS[1]))))
        await asyncio.sleep(0.3)  # the request waits first
        theirs = asyncio.create_task(other.execute(select(func.pg_advisory_xact_lock(DEADLOCK_KEYS[0]))))
        try:
            await mine  # PostgreSQL breaks the deadlock here
        finally:
            await session.rollback()  # frees the lock the other connection waits for
            await theirs


DEADLOCK_KEYS = (2024_24_01, 2024_24_02)


@router.get("/healthz", name="healthz", summary="The process is alive", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    name="readyz",
    summary="PostgreSQL and Meilisearch reachable, and how far the search index lags",
    response_model=Readiness,
    responses={503: {"description": "PostgreSQL is unreachable: do not send traffic."}},
)
async def readyz(request: Request) -> Any:
    services = services_of(request)
    pending, lag, vectors, postgres = 0, 0.0, 0, True
    try:
        async with services.sessions()() as session:
            await session.execute(text("SELECT 1"))
            pending, lag = await outbox_lag(session)
            vectors = await vector_backlog(session)
    except Exception:  # any failure to reach the database means "not ready"
        postgres = False
    meilisearch = services.search is not None and await services.search.healthy()
    OUTBOX_PENDING.set(pending)
    OUTBOX_LAG.set(lag)
    VECTOR_BACKLOG.set(vectors)
    body = Readiness(
        status="ok" if postgres and meilisearch else "degraded",
        postgres=postgres,
        meilisearch=meilisearch,
        outbox_pending=pending,
        outbox_lag_seconds=round(lag, 3),
        vector_backlog=vectors,
    )
    # Without PostgreSQL nothing works; without Meilisearch search degrades but answers.
    return JSONResponse(body.model_dump(), status_code=200 if postgres else 503)
