"""The worker's log says what changed: a job that did work, a failure, a retry. A periodic job that
looked and found nothing (vectors, stalled jobs, webhooks, every minute) leaves no line: an idle
`migrantkb dev` printed 689 of its 952 lines in 68 minutes about such jobs (issue #23)."""

from __future__ import annotations

import logging

from procrastinate.worker import WORKER_NAME

from app.jobs.queue import queue


class OnlyWork(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        action = getattr(record, "action", None)
        if action == "periodic_task_deferred":
            return False  # its outcome, when it did something, says so
        task = (getattr(record, "job", None) or {}).get("task_name")
        if action == "start_job" and task in _periodic():
            return False
        # Our jobs return what they did (a count, the pages read): nothing is 0, None or empty.
        return not (action == "job_success" and not getattr(record, "result", None))


def _periodic() -> set[str]:
    return {p.task.name for p in queue.periodic_registry.periodic_tasks.values()}


def quiet_idle_jobs() -> None:
    """Installs the filter on procrastinate's worker and periodic loggers (once per process)."""
    for name in ("procrastinate.periodic", "procrastinate.worker", f"procrastinate.worker.{WORKER_NAME}"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OnlyWork) for f in logger.filters):
            logger.addFilter(OnlyWork())
