"""Serving the API: `serve` alone, or `dev` with everything it needs set up around it."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import platformdirs
import typer
import uvicorn

from app.cli.context import database_url, use_meili
from app.cli.data import seed
from app.cli.search import reindex
from app.cli.worker import start_worker
from app.core.config import database_key, get_settings
from app.core.observability import configure_logging
from app.runtime.meili import start_local
from app.runtime.migrations import run_migrations
from app.runtime.ports import check_port
from app.runtime.postgres import where


def serve(
    host: Annotated[str | None, typer.Option(help="Default: HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default: PORT or 8000")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: WORKERS or 1")] = None,
) -> None:
    """Serve the API with the environment's settings (no set-up: see `dev`)."""
    configure_logging()
    settings = get_settings()
    check_port(host or settings.host, port or settings.port)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        forwarded_allow_ips=list(settings.forwarded_allow_ips),  # proxy headers only from these (uvicorn)
        timeout_keep_alive=settings.keep_alive_seconds,
        timeout_graceful_shutdown=20,
        log_config=None,  # keep the JSON logging configured above
    )


def dev() -> None:
    """Find or start PostgreSQL and Meilisearch, migrate, seed, and serve. Ctrl-C stops all of it."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):  # no line per call to Meilisearch
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = get_settings()
    url = database_url(create=True)
    typer.echo(f"PostgreSQL: {where(url)}")
    meili = None
    if not settings.meili_url:
        # Each database gets its own Meilisearch data: two instances on two databases never meet.
        data = Path(platformdirs.user_data_dir("migrantkb")) / "meilisearch" / database_key(url)
        meili = start_local(data, settings.meili_bin)
        use_meili(meili.url, meili.master_key)
        typer.echo(f"Meilisearch: {meili.url} (started)")
    worker_process: subprocess.Popen[bytes] | None = None
    # uvicorn re-raises the signal that stopped it; make SIGTERM, like Ctrl-C, unwind through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        run_migrations(url)
        seed()
        reindex()  # the index may be new or stale: rebuild it (seconds for the seed)
        settings = get_settings()
        worker_process = start_worker()
        typer.echo(f"Worker: pid {worker_process.pid} (text extraction and OCR)")
        typer.echo(f"Serving on http://{settings.host}:{settings.port}  (docs: /docs)")
        serve(host=None, port=None, workers=None)
    finally:
        if worker_process is not None:
            worker_process.terminate()
            try:
                worker_process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                worker_process.kill()
        if meili is not None:
            meili.stop()
