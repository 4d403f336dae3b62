"""What a job needs beyond its arguments, one per worker process: the settings, sessions, the file
store, and (made when first needed) the Meilisearch client and the vector worker with its model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.files.store import FileStore


@dataclass
class WorkerRuntime:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    store: FileStore
    # Filled in by the jobs that use them (app/search/vectors.py), closed by `close`.
    meili: Any = None
    vectors: Any = None

    async def close(self) -> None:
        if self.meili is not None:
            await self.meili.aclose()
