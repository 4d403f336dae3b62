from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.staticfiles import StaticFiles

from app.api import api_router
from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_sessionmaker
from app.core.errors import install_error_handlers
from app.core.limits import BodySizeLimit, HeadAsGet, RejectNul
from app.core.observability import install_observability
from app.core.ratelimit import RateLimit, SecurityHeaders
from app.core.services import AppServices
from app.docs import DESCRIPTION, TAGS
from app.files.store import FileStore
from app.ops.gauges import keep_gauges
from app.ops.router import router as ops_router
from app.ops.router import test_router
from app.runtime.statistics import keep_statistics
from app.search.cache import SearchCache
from app.search.embedder import QueryEmbedder
from app.search.gate import FallbackGate
from app.search.index import SearchIndex
from app.search.query import warm_up
from app.search.sync import Indexer
from app.site.render import STATIC
from app.site.router import router as site_router

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/migrantkb"


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    services = AppServices(
        settings=settings,
        files=FileStore.from_settings(settings),
        search_gate=FallbackGate(settings.search_fallback_concurrency, settings.search_fallback_seconds),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services.sessionmaker is None:  # tests may provide their own
            # Every connection is kept: an overflow connection is opened for a burst and closed
            # after it, and under steady load at 64 client connections that was a new PostgreSQL
            # backend (and asyncpg's type set-up) every few requests.
            url = settings.database_url or DEFAULT_DATABASE_URL
            engine = make_engine(
                url,
                pool_size=settings.database_pool_size,
                max_overflow=0,
                pool_timeout=settings.database_pool_timeout_seconds,
            )
            services.sessionmaker = make_sessionmaker(engine)
        else:
            engine = None
        stop = asyncio.Event()
        workers = []
        if engine is not None:
            workers.append(asyncio.create_task(keep_statistics(engine, stop)))
            workers.append(asyncio.create_task(keep_gauges(services.sessions(), stop)))
        services.search_cache = cache = SearchCache(ttl=settings.search_cache_seconds)
        await asyncio.to_thread(warm_up)
        if settings.search_embeddings and services.embedder is None:
            services.embedder = QueryEmbedder(threads=settings.embedding_threads)
        if services.search is None and (search := SearchIndex.from_settings(settings)) is not None:
            services.search = search
            if settings.run_indexer:
                indexer = Indexer(
                    services.sessions(),
                    search,
                    on_change=cache.changed,
                    gather_seconds=settings.index_gather_seconds,
                )
                # Its vectors follow as jobs (`embed_vectors`) that `migrantkb worker` runs.
                workers.append(asyncio.create_task(indexer.run(stop)))
        try:
            yield
        finally:
            stop.set()
            for worker in workers:
                await worker  # finishes the batch in hand
            if services.search is not None and engine is not None:
                await services.search.aclose()
            if engine is not None:
                await engine.dispose()

    app = FastAPIOffline(
        title="Migrant-rights knowledge base API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        swagger_ui_parameters={"defaultModelsExpandDepth": 0, "displayRequestDuration": True},
    )
    services.attach(app)
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(ops_router)
    if settings.environment == "test":
        app.include_router(test_router)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger={"/v1/import": settings.max_import_bytes},
        # Uploads: the file's cap plus room for the multipart framing and the form's other fields.
        larger_suffixes={"/attachments": settings.max_attachment_bytes + 64 * 1024},
    )
    app.add_middleware(RejectNul)
    app.add_middleware(HeadAsGet)
    storage = f"async+{settings.redis_url}" if settings.redis_url else None
    app.add_middleware(
        RateLimit, anonymous=settings.rate_limit_anonymous, keyed=settings.rate_limit_key, storage_url=storage
    )
    # CORS is open for reads only: a browser app anywhere may GET; writes come from servers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD"],
        allow_headers=["Accept-Language", "If-None-Match"],
        expose_headers=["ETag", "Content-Language", "X-Search-Degraded", "Retry-After"],
        max_age=3600,
    )
    app.add_middleware(SecurityHeaders)
    install_observability(app)
    # The pages for people: last, after every API and operations route (and /metrics, added just
    # above), so that a path any of them answers is never taken for a page.
    app.mount("/assets", StaticFiles(directory=STATIC), name="site-assets")
    app.include_router(site_router)
    return app
