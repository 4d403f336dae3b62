"""Metrics (Prometheus), JSON logs and a request id on every response."""

from __future__ import annotations

import logging
import sys
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from asgi_correlation_id import CorrelationIdFilter, CorrelationIdMiddleware
from fastapi import FastAPI
from prometheus_client import REGISTRY, Counter, Gauge
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from prometheus_fastapi_instrumentator.middleware import PrometheusInstrumentatorMiddleware
from pythonjsonlogger.json import JsonFormatter
from starlette.requests import Request

OUTBOX_PENDING = Gauge("migrantkb_outbox_pending", "Changes not yet in the search index")
OUTBOX_LAG = Gauge("migrantkb_outbox_lag_seconds", "Age of the oldest change not yet in the search index")
VECTOR_BACKLOG = Gauge("migrantkb_vector_backlog", "Indexed records still waiting for their embedding")
ATTACHMENTS = Gauge("migrantkb_attachments", "Attachments by text extraction state", ["state"])
JOBS = Gauge("migrantkb_jobs", "Background jobs by queue and status", ["queue", "status"])
SEARCH_DEGRADED = Gauge("migrantkb_search_degraded", "1 while search answers from PostgreSQL")
QUERY_VECTORS = Counter(
    "migrantkb_search_query_vectors",
    "Searches that could use a query vector: `needed` computed it (or took it from the cache), "
    "`settled` did not (the keyword hits settled the page)",
    ["outcome"],
)


def configure_logging(level: str = "INFO") -> None:
    """One JSON object per line on stderr, each with the request id of the request it belongs to."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"))
    handler.addFilter(CorrelationIdFilter(uuid_length=32, default_value="-"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # One line per request: the HTTP clients' per-call lines (Meilisearch calls) only when they fail.
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
        logging.getLogger(name).setLevel(logging.WARNING)


@lru_cache
def _request_metrics() -> Any:
    """Per-route request counts and latencies, registered once per process: the library registers
    them per app and gives every later app of the process (tests make many) no metrics at all."""
    return metrics.default(registry=REGISTRY)


class _RouteNames(PrometheusInstrumentatorMiddleware):
    """The library finds a request's route template by matching its path against every route of
    the app, flattened anew for each request: 0.5 ms of every request here, a tenth of a bare
    Meilisearch search. The routes never change while the app runs, so the answer is kept per
    method and path (at most ROUTE_NAMES of them: ids make paths many)."""

    ROUTE_NAMES = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._names: OrderedDict[tuple[str, str, str], tuple[str, bool]] = OrderedDict()

    def _get_handler(self, request: Request) -> tuple[str, bool]:
        names = self._names
        key = (request.method, request.scope.get("root_path", ""), request.url.path)
        found = names.get(key)
        if found is None:
            found = names[key] = super()._get_handler(request)
            if len(names) > self.ROUTE_NAMES:
                names.popitem(last=False)
        return found


def install_observability(app: FastAPI) -> None:
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    instrumentator = Instrumentator(excluded_handlers=["/metrics", "/healthz", "/readyz"], registry=REGISTRY)
    instrumentator.add(_request_metrics())
    instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    for middleware in app.user_middleware:
        if middleware.cls is PrometheusInstrumentatorMiddleware:  # type: ignore[comparison-overlap]
            middleware.cls = _RouteNames
