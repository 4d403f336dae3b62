"""Every job the worker runs, by the package that owns it: importing these modules registers their
tasks on the queue (app/jobs/queue.py), and the queues a worker takes are those of the tasks
registered, so a new task's queue cannot be left out of the worker or of /metrics."""

from __future__ import annotations

from types import ModuleType

import app.attachments.jobs
import app.jobs.maintenance
import app.search.jobs
import app.webhooks.jobs
from app.jobs.queue import queue

JOB_MODULES: tuple[ModuleType, ...] = (
    app.attachments.jobs,
    app.search.jobs,
    app.webhooks.jobs,
    app.jobs.maintenance,
)


def queues() -> tuple[str, ...]:
    """The queues of the catalog's tasks (procrastinate's own builtin tasks are not run by ours)."""
    names = {module.__name__ for module in JOB_MODULES}
    return tuple(dict.fromkeys(t.queue for t in queue.tasks.values() if t.func.__module__ in names))
