"""The background job queue: procrastinate on the base's own PostgreSQL. Jobs are
deferred in the transaction that makes the work (an attachment's row and its extraction job commit
together, or neither does); workers (`migrantkb worker`, as many processes as wanted) take them
with retries, locks and heartbeats, and `procrastinate_jobs` shows what is queued, running, done
or failed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import engine_args

# Its tasks are registered by the modules app/jobs/catalog.py imports.
queue = procrastinate.App(connector=procrastinate.PsycopgConnector())

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, :lock, :queueing_lock, "
    "CAST(:args AS jsonb), CAST(:at AS timestamptz))::procrastinate_job_to_defer_v1])"
)
_QUEUED = text(
    "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE queueing_lock = :q AND status = 'todo')"
)


async def defer(
    session: AsyncSession,
    task: str,
    args: dict[str, Any],
    *,
    queue_name: str,
    lock: str | None = None,
    queueing_lock: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Queues `task(**args)` in the session's transaction: the job exists once that commits, and
    a worker listening is woken at the commit (procrastinate's NOTIFY trigger). With a
    `queueing_lock`, a job already waiting under that lock stands for this one (no error, no
    second job); `at` schedules it for later."""
    values = {
        "queue": queue_name,
        "task": task,
        "priority": 0,
        "lock": lock,
        "queueing_lock": queueing_lock,
        "args": orjson.dumps(args).decode(),
        "at": at,
    }
    if queueing_lock is None:
        await session.execute(_DEFER, values)
        return
    if (await session.execute(_QUEUED, {"q": queueing_lock})).scalar_one():
        return
    try:
        async with session.begin_nested():  # another transaction may queue it at the same moment
            await session.execute(_DEFER, values)
    except IntegrityError:
        pass


def conninfo(database_url: str) -> str:
    """The libpq URL psycopg takes, for the database an SQLAlchemy URL names (libpq-only query
    parameters such as sslmode are its own already)."""
    clean, _ = engine_args(database_url)
    original = make_url(database_url)
    return (
        make_url(clean)
        .set(drivername="postgresql", query=original.query)
        .render_as_string(hide_password=False)
    )
