"""Limits, CORS and headers every response carries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.main import create_app


@pytest.fixture
async def strict(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    settings = get_settings().model_copy(
        update={"rate_limit_anonymous": "3/minute", "rate_limit_key": "5/minute"}
    )
    app = create_app(settings)
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_rate_limit_per_address_and_per_key(strict: httpx.AsyncClient, editor: dict[str, str]) -> None:
    codes = [(await strict.get("/v1/topics")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = await strict.get("/v1/topics")
    assert limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # A key has its own, larger budget; probes are never limited.
    keyed = [(await strict.get("/v1/topics", headers=editor)).status_code for _ in range(6)]
    assert keyed == [200] * 5 + [429]
    assert (await strict.get("/healthz")).status_code == 200


async def test_cors_is_open_for_reads_only(client: httpx.AsyncClient) -> None:
    read = await client.get("/v1/topics", headers={"Origin": "https://ngo.example"})
    assert read.headers["access-control-allow-origin"] == "*"
    preflight = await client.options(
        "/v1/laws",
        headers={
            "Origin": "https://ngo.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 400  # the browser will not send the write


async def test_security_headers_everywhere(client: httpx.AsyncClient) -> None:
    for path in ("/v1/laws", "/v1/laws/nope", "/docs", "/healthz"):
        r = await client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert (
            r.headers["x-frame-options"] == "DENY"
            and "frame-ancestors 'none'" in r.headers["content-security-policy"]
        )
