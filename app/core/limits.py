"""Request body cap, enforced while the body streams in (Content-Length can lie or be absent)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _problem(status: int, type_: str, title: str, detail: str) -> bytes:
    return json.dumps({"type": type_, "title": title, "status": status, "detail": detail}).encode()


async def send_problem(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RejectNul:
    """PostgreSQL text cannot hold U+0000: refuse it in the URL before it reaches a query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
            if b"%00" in raw or b"\x00" in raw or "\x00" in scope.get("path", ""):
                body = _problem(
                    400,
                    "bad-request",
                    "The request is malformed.",
                    "NUL characters (%00) are not allowed in URLs.",
                )
                await send_problem(send, 400, body)
                return
        await self.app(scope, receive, send)


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: dict[str, int] | None = None,
        larger_suffixes: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_max = max_bytes
        self.larger = larger or {}
        self.larger_suffixes = larger_suffixes or {}

    def limit(self, path: str) -> int:
        if path in self.larger:
            return self.larger[path]
        for suffix, max_bytes in self.larger_suffixes.items():
            if path.endswith(suffix):
                return max_bytes
        return self.default_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(send, max_bytes)
                    return
        received = 0
        started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # Answer now; the app sees the client go away and its own reply is dropped.
                    rejected = True
                    if not started:
                        await self._reject(send, max_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise

    @staticmethod
    async def _reject(send: Send, max_bytes: int) -> None:
        detail = f"Send at most {max_bytes} bytes in one request; split bulk imports into several files."
        await send_problem(
            send, 413, _problem(413, "payload-too-large", "The request body is too large.", detail)
        )


class HeadAsGet:
    """HEAD is GET without the body (RFC 9110, 9.3.2): the routes answer GET only, so every HEAD
    was a 405, while CORS announces HEAD. The app sees a GET; the client gets its status and
    headers (Content-Length, ETag) and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headless(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headless)
