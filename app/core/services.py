"""The app's services, typed, in one object: `create_app` builds an `AppServices` and stores it as the
one attribute `app.state.services`; handlers read it through `ServicesDep` (or `services_of(request)`
where they already hold the request), never `app.state` itself, so what a handler may find there is
written down once, with its type.

Fields that are None are filled at start-up (the lifespan): the sessionmaker, the search index (when
Meilisearch is configured), the query embedder (when embeddings are on) and the search cache. Tests
replace a field before start-up (`app.state.services.sessionmaker = …`); the lifespan keeps what it
finds and builds only what is missing.

The search and file types are imported for annotations only: app/search and app/files import
app/core, so a runtime import here would be a cycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request
from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from app.core.config import Settings
    from app.files.store import FileStore
    from app.search.cache import SearchCache
    from app.search.embedder import QueryEmbedder
    from app.search.gate import FallbackGate
    from app.search.index import SearchIndex


@dataclass
class AppServices:
    settings: Settings
    files: FileStore
    search_gate: FallbackGate
    sessionmaker: async_sessionmaker[AsyncSession] | None = None
    search: SearchIndex | None = None
    embedder: QueryEmbedder | None = None
    search_cache: SearchCache | None = None
    # When each key's last use was written (monotonic seconds), per process: see keys/dependencies.py.
    key_touches: dict[uuid.UUID, float] = field(default_factory=dict)

    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The sessionmaker, which the lifespan (or a test) has set by the time a request runs."""
        if self.sessionmaker is None:
            raise RuntimeError("the app has no sessionmaker: its lifespan has not run")
        return self.sessionmaker

    def attach(self, app: FastAPI) -> None:
        app.state.services = self


def services_of(connection: HTTPConnection) -> AppServices:
    services: AppServices = connection.app.state.services
    return services


def public_origin(connection: HTTPConnection) -> str:
    """Where absolute links point: PUBLIC_URL, else the request's own origin (its Host header)."""
    return services_of(connection).settings.public_url or str(connection.base_url).rstrip("/")


async def get_services(request: Request) -> AppServices:
    return services_of(request)


ServicesDep = Annotated[AppServices, Depends(get_services)]
