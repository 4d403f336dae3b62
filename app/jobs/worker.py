"""A worker process: takes jobs (text extraction and OCR, vectors, upkeep) from the queue until
stopped (SIGINT/SIGTERM finish the jobs in hand), or until the queue is empty with `wait=False`
(tests, `migrantkb worker --until-empty`). Start as many as the work needs; PostgreSQL hands each
job to one of them."""

from __future__ import annotations

import signal
from collections.abc import Iterable
from typing import Any

import procrastinate

from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker
from app.files.store import FileStore
from app.jobs import catalog
from app.jobs.logs import quiet_idle_jobs
from app.jobs.maintenance import retry_stalled
from app.jobs.queue import conninfo, queue
from app.jobs.runtime import WorkerRuntime


async def run_worker(
    settings: Settings,
    *,
    wait: bool = True,
    queues: Iterable[str] | None = None,
    install_signal_handlers: bool = True,
    concurrency: int | None = None,
) -> None:
    url = settings.database_url
    if not url:
        raise RuntimeError("the worker needs DATABASE_URL (migrantkb dev and the CLI set it)")
    engine = make_engine(url, pool_size=2, max_overflow=2)
    runtime = WorkerRuntime(settings, make_sessionmaker(engine), FileStore.from_settings(settings))
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(url), min_size=1, max_size=4)
    quiet_idle_jobs()
    if install_signal_handlers:
        # procrastinate stops on the first SIGINT/SIGTERM, then puts these back: a second signal
        # (Ctrl-C reaches `dev` and its worker, then `dev` sends SIGTERM) would otherwise end the
        # worker at once, its jobs held by a worker that is gone until they count as stalled.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, _stopping_already)
    try:
        with queue.replace_connector(connector) as app:
            async with app.open_async():
                await retry_stalled(app.job_manager, settings.stalled_worker_seconds)
                await app.run_worker_async(
                    queues=list(catalog.queues() if queues is None else queues),
                    concurrency=concurrency or settings.worker_concurrency,
                    wait=wait,
                    install_signal_handlers=install_signal_handlers,
                    additional_context={"runtime": runtime},
                    shutdown_graceful_timeout=30,
                    stalled_worker_timeout=settings.stalled_worker_seconds,
                    # Finished jobs are deleted; failed ones stay for editors to see.
                    delete_jobs="successful",
                )
    finally:
        await runtime.close()
        await engine.dispose()


def _stopping_already(*_: Any) -> None:
    """The worker is stopping: its jobs finish or go back to the queue (within 30 s)."""
