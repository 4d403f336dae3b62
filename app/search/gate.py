"""Bounds on the PostgreSQL search while Meilisearch is away. Common words over tens of thousands of
records scanned for 30 s each, and a few dozen of them at once held every pooled connection, so
writes failed too. Now each has a time budget (the statement timeout of its transaction) and only a
few run at once; the rest, and any past its budget, answer 503 with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import SearchUnavailable
from app.search.fallback import fallback_search
from app.search.params import SearchParams
from app.search.query import Query

# query_canceled (the statement timeout), lock_not_available (the lock timeout).
_OVER_BUDGET = {"57014", "55P03"}


class FallbackGate:
    def __init__(self, concurrency: int, seconds: float) -> None:
        self.free = concurrency
        self.milliseconds = max(1, round(seconds * 1000))

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self.free <= 0:
            raise SearchUnavailable(
                "Search answers from its backup while the search engine is away, and it is busy. "
                "Retry in a few seconds."
            )
        self.free -= 1
        try:
            yield
        finally:
            self.free += 1

    async def search(
        self, session: AsyncSession, params: SearchParams, query: Query
    ) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]]:
        async with self._slot():
            # Local to the request's transaction, which a search only reads in.
            await session.execute(select(func.set_config("statement_timeout", str(self.milliseconds), True)))
            try:
                return await fallback_search(session, params, query)
            except DBAPIError as exc:
                if str(getattr(exc.orig, "sqlstate", None) or "") not in _OVER_BUDGET:
                    raise
                raise SearchUnavailable(
                    "The search took longer than its time budget while the search engine is away. "
                    "Retry in a few seconds, or narrow it (a filter, more words)."
                ) from exc
