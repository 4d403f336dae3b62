"""Rate limits per API key and per client address (the `limits` library; Redis when REDIS_URL is
set, so replicas share counters, else in-process memory). Over the limit: 429 with Retry-After."""

from __future__ import annotations

import json
import math
import time

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.limits import send_problem

EXEMPT = ("/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/static-offline-docs")


class RateLimit:
    def __init__(self, app: ASGIApp, *, anonymous: str, keyed: str, storage_url: str | None = None) -> None:
        self.app = app
        self.anonymous = parse(anonymous)
        self.keyed = parse(keyed)
        storage = storage_from_string(storage_url or "async+memory://")
        self.limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        item, identity = self.anonymous, "ip:" + (scope.get("client") or ("unknown", 0))[0]
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value[:11].lower() == b"bearer mkb_":
                prefix = value[11:].split(b"_", 1)[0][:16].decode("ascii", "replace")
                item, identity = self.keyed, "key:" + prefix
                break
        if not await self.limiter.hit(item, identity):
            stats = await self.limiter.get_window_stats(item, identity)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            body = json.dumps(
                {
                    "type": "rate-limited",
                    "title": "Too many requests.",
                    "status": 429,
                    "detail": f"At most {item.amount} requests per {item.multiples} {item.GRANULARITY.name}; "
                    f"try again in {retry} s.",
                }
            ).encode()
            await send_problem(send, 429, body, headers=[(b"retry-after", str(retry).encode())])
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Headers every response carries; the docs pages get a CSP that lets their own assets run, and
    the site's HTML pages one that lets their own stylesheet apply (no script at all)."""

    API_CSP = b"default-src 'none'; frame-ancestors 'none'"
    DOCS_CSP = (
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'"
    )

    PAGE_CSP = (
        b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'"
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "").startswith(("/docs", "/redoc"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                csp = self.DOCS_CSP if docs else self.PAGE_CSP if html else self.API_CSP
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"strict-transport-security", b"max-age=31536000"),
                    (b"content-security-policy", csp),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
