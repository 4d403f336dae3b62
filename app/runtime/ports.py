"""The port the API is to serve on, checked before anything starts (one clear line if taken)."""

from __future__ import annotations

import socket


def check_port(host: str, port: int) -> None:
    """Binds the port as uvicorn will: with SO_REUSEADDR, so the connections of a server killed a
    moment ago (TIME_WAIT, up to a minute) do not stop a new one; a port someone listens on does."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise RuntimeError(f"cannot serve on {host}:{port}: {exc.strerror}; set PORT or --port") from exc
