"""httpx2's transport for the Meilisearch SDK, over aiohttp's connection pool.

The SDK (meilisearch-python-sdk) talks through an httpx2 client; what carries its requests is the
client's transport. httpx2's own (httpcore2 and h11, in Python) cost this process about 0.5 ms of
CPU per search, which is most of what the SDK spends on a call: measured here (2026-12-07, the
seed's index, the first search `/v1/search` asks, 1,000 calls one after another) the SDK's call took
1.04-1.27 ms of CPU on httpx2's transport and 0.84 on this one; a bare aiohttp post 0.26-0.45. The
SDK, its models and its errors stay as they are: this class only moves the bytes.

Errors come out as httpx2's, the same the SDK turns into its own (a refused connection into
MeilisearchCommunicationError, app/search/index.py's UNREACHABLE), so a Meilisearch that is away
still sends a search to the PostgreSQL fallback. Timeouts are the request's (httpx2's `timeout`
extension): connect and read each bounded as httpx2 bounds them.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx2

# Set by aiohttp from the body it sends, or by the transport itself.
_OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """Kept-alive connections, `keepalive` seconds at most (Meilisearch closes idle ones after 5 s;
    a connection it has closed is not reused), at most `connections` at a time. The session opens
    on the first request, on that request's event loop, and again on another loop (a CLI command
    may run several)."""

    def __init__(self, *, connections: int = 64, keepalive: float = 2.0) -> None:
        self._connections = connections
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=self._keepalive)
            # Bytes as they come: httpx2 decodes what its Content-Encoding says.
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding", "User-Agent"),
            )
            self._loop = loop
        return self._session

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self._open()
        timeout = request.extensions.get("timeout", {})
        limits = aiohttp.ClientTimeout(
            total=None,
            sock_connect=timeout.get("connect"),
            sock_read=timeout.get("read"),
        )
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.decode("latin-1").lower() not in _OWN_HEADERS
        ]
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                timeout=limits,
                allow_redirects=False,
            ) as answer:
                content = await answer.read()
                # The connection may be back in the pool already (a small answer read whole).
                stream = getattr(getattr(answer, "_protocol", None), "transport", None)
                local = stream.get_extra_info("sockname") if stream is not None else None
                status, raw = answer.status, list(answer.raw_headers)
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx2.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except (TimeoutError, aiohttp.SocketTimeoutError) as exc:
            raise httpx2.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx2.ConnectError(str(exc), request=request) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
            raise httpx2.RemoteProtocolError(str(exc) or "server disconnected", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx2.ReadError(str(exc) or exc.__class__.__name__, request=request) from exc
        # `client_addr`: the local end of the connection that carried it (tests check the reuse).
        return httpx2.Response(
            status, headers=raw, content=content, request=request, extensions={"client_addr": local}
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()  # a session of an event loop that has ended went with it
