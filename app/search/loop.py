"""The loop every background worker of the search runs: do a step, back off on failure, poll when
idle, stop when told."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.search.index import SearchIndex


class IndexWorker:
    """A background worker that writes to one search index: its sessions, the index, and whom to
    tell when it changed the index (cached answers go stale)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        index: SearchIndex,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.index = index
        self.on_change = on_change


async def pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def keep_running(
    step: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    *,
    poll_seconds: float,
    log: logging.Logger,
    healthy: Callable[[bool], None] = lambda _: None,
    idle: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """`step` returns how much it did; 0 means idle. A failure (Meilisearch or PostgreSQL away)
    leaves the work where it was and is retried with backoff up to 30 s."""
    backoff = 1.0
    while not stop.is_set():
        try:
            done = await step()
            healthy(True)
            backoff = 1.0
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            healthy(False)
            log.warning("%s; retrying in %.0fs", exc.__class__.__name__, backoff)
            await pause(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        if not done:
            if idle is not None:
                await idle()
            await pause(stop, poll_seconds)
