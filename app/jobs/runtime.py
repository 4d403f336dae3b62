"""What a job needs beyond its arguments, one per worker process: the settings, sessions, the file
store, and what a job makes when first needed and keeps for the process (the vector worker with its
Meilisearch client and model: loading the model takes seconds), closed when the worker stops."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.files.store import FileStore

T = TypeVar("T")


@dataclass
class WorkerRuntime:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    store: FileStore
    # Set when the worker is asked to stop: a job that works in rounds (vectors) ends after the round
    # in hand instead of running into the shutdown's grace period and being cancelled.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # What `resource` made, by type; the jobs' packages own the types (jobs/ imports none of them).
    _resources: dict[type, object] = field(default_factory=dict)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def resource(
        self, key: type[T], make: Callable[[], T], close: Callable[[T], Awaitable[None]] | None = None
    ) -> T:
        """The process's one `key`, made by `make` the first time; `close` runs at `close()`."""
        if key not in self._resources:
            made = self._resources[key] = make()
            if close is not None:
                self._closers.append(lambda: close(made))
        return cast(T, self._resources[key])

    async def close(self) -> None:
        for closer in self._closers:
            await closer()
