"""Issue #24, "no 5xx, whatever comes in", against real `migrantkb serve` processes: an unhandled
error answers a problem+json 500 and leaves the keep-alive connection usable; a search outage
(Meilisearch unreachable, slow PostgreSQL fallback) never takes writes down; a deadlock on a write
is retried."""

from __future__ import annotations

import socket

from tests.servers import api_server, server_env


def _exchange(sock: socket.socket, path: str) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on an open connection, and its response read to its declared end."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection before answering {path}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return int(status_line.split()[1]), headers, body


def test_an_unhandled_error_keeps_the_connection(database_url: str) -> None:
    with api_server({**server_env(database_url), "ENVIRONMENT": "test"}) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            for _ in range(2):
                status, headers, body = _exchange(sock, "/_test/unhandled")
                assert status == 500 and headers["content-type"] == "application/problem+json", body
                assert b"on purpose" not in body  # the error's text is logged, never sent
                assert headers.get("connection") != "close"
                # The same connection serves the next request.
                status, _, body = _exchange(sock, "/healthz")
                assert status == 200, body
