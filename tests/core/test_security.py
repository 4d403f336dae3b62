"""Limits, CORS and headers every response carries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings, get_settings
from app.main import create_app
from tests.support.servers import api_server, server_env


@pytest.fixture
async def strict(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    settings = get_settings().model_copy(
        update={"rate_limit_anonymous": "3/minute", "rate_limit_key": "5/minute"}
    )
    app = create_app(settings)
    app.state.services.sessionmaker = sessionmaker
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


@pytest.mark.parametrize("trusted", ["", "127.0.0.1,::1"])
def test_forwarded_for_believed_only_from_trusted_proxies(database_url: str, trusted: str) -> None:
    """A real `migrantkb serve`, the client on loopback. Without FORWARDED_ALLOW_IPS no peer is a
    trusted proxy: a made-up X-Forwarded-For on each request does not buy a fresh budget (the peer is
    counted). With loopback named, the header is believed: each forwarded client has its own budget."""
    env = server_env(database_url) | {"RATE_LIMIT_ANONYMOUS": "3/minute"}
    env.pop("FORWARDED_ALLOW_IPS", None)  # unset: the default (uvicorn's own would trust loopback)
    if trusted:
        env["FORWARDED_ALLOW_IPS"] = trusted
    with api_server(env) as url:
        spoofed = [
            httpx.get(f"{url}/v1/topics", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(1, 6)
        ]
        if not trusted:
            assert spoofed == [200, 200, 200, 429, 429]
        else:
            assert spoofed == [200] * 5
            same = [
                httpx.get(f"{url}/v1/topics", headers={"X-Forwarded-For": "198.51.100.200"}).status_code
                for _ in range(4)
            ]
            assert same == [200, 200, 200, 429]


def test_forwarded_allow_ips_must_be_addresses() -> None:
    assert Settings(forwarded_allow_ips="10.0.0.0/8, ::1,*").forwarded_allow_ips == ("10.0.0.0/8", "::1", "*")
    with pytest.raises(ValidationError, match=r"proxy\.example"):
        Settings(forwarded_allow_ips="10.0.0.1,proxy.example")
