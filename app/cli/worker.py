"""The background worker: run it, or start it beside the API (`dev`)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Annotated

import typer

from app.cli.context import database_url
from app.core.config import get_settings
from app.core.observability import configure_logging


def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Jobs at once. Default: WORKER_CONCURRENCY or 1")
    ] = None,
    until_empty: Annotated[bool, typer.Option(help="Stop once the queue is empty.")] = False,
) -> None:
    """Run background jobs (text extraction and OCR); start more processes to do more at once."""
    # Local: procrastinate and the job modules cost every command ~1.2 s of start-up.
    from app.jobs.worker import run_worker

    configure_logging()
    database_url()
    asyncio.run(run_worker(get_settings(), wait=not until_empty, concurrency=concurrency))


def start_worker() -> subprocess.Popen[bytes]:
    """The worker beside the API (`dev`): its own process, the same environment."""
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=os.environ.copy())
