"""A worker process: takes jobs (text extraction and OCR, vectors, upkeep) from the queue until
stopped (SIGINT/SIGTERM finish the jobs in hand), or until the queue is empty with `wait=False`
(tests, `migrantkb worker --until-empty`). Start as many as the work needs; PostgreSQL hands each
job to one of them."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable

import procrastinate
from procrastinate.worker import Worker

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
    try:
        with queue.replace_connector(connector) as app:
            async with app.open_async():
                await retry_stalled(app.job_manager, settings.stalled_worker_seconds)
                # The worker made here rather than by `run_worker_async`, so that a stop signal can
                # reach it at once (see `_on_stop_signal`).
                app.perform_import_paths()  # type: ignore[no-untyped-call]
                worker = app._worker(
                    queues=list(catalog.queues() if queues is None else queues),
                    concurrency=concurrency or settings.worker_concurrency,
                    wait=wait,
                    install_signal_handlers=False,
                    additional_context={"runtime": runtime},
                    shutdown_graceful_timeout=30,
                    stalled_worker_timeout=settings.stalled_worker_seconds,
                    # Finished jobs are deleted; failed ones stay for editors to see.
                    delete_jobs="successful",
                )
                if install_signal_handlers:
                    _on_stop_signal(runtime, worker)
                await worker.run()  # type: ignore[no-untyped-call]
    finally:
        await runtime.close()
        await engine.dispose()


def _on_stop_signal(runtime: WorkerRuntime, worker: Worker) -> None:
    """The first SIGINT/SIGTERM stops the worker gracefully: it takes no new job from then on, jobs
    that work in rounds end after the round in hand (`runtime.stopping`), the others finish or go
    back to the queue within 30 s. Further signals are ignored: Ctrl-C reaches `dev` and its worker,
    then `dev` sends SIGTERM, and procrastinate's own handlers (which it puts back after the first
    signal) would end the worker at once, its jobs held by a worker that is gone until they count
    as stalled."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        # Synchronously, in the signal's loop callback: an extraction whose child died of the same
        # Ctrl-C goes back to the queue, and this worker must not take it again on its way out.
        if not runtime.stopping.is_set():
            runtime.stopping.set()
            worker.stop()  # type: ignore[no-untyped-call]

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
