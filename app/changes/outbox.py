"""The outbox: every write leaves a `changes` row in its own transaction, and everything that follows
a write (the search index, an attachment's chunks, vectors, webhooks) reads those rows. This module
is the only writer of them, and the one list of who reads them and where that runs: the consumers
live in three runtimes (the API process, the worker, a database trigger), so the list names each
one's entry point (`tests/architecture/test_outbox_and_jobs.py` imports them, and finds the trigger in a
migrated base)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import DOCUMENTS, Change, Record, Revision, is_public


def record_changed(
    session: AsyncSession,
    record: Any,
    action: str,
    *,
    public_before: bool,
    key_id: uuid.UUID | None,
    previous: dict[str, Any],
) -> None:
    """A write's change row and its revision, added to the caller's transaction."""
    change, revision = history_rows(
        record, action, public_before=public_before, key_id=key_id, previous=previous
    )
    session.add_all([Change(**change), Revision(**revision)])


def history_rows(
    record: Any, action: str, *, public_before: bool, key_id: uuid.UUID | None, previous: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The one writer of a write's change-feed/outbox row and its revision (who, when, and the
    version this one replaced; empty for a creation), as column values: the write path adds
    them as ORM rows, the import copies them in bulk. `record` has the record's columns."""
    change = {
        "record_id": record.id,
        "kind": record.kind,
        "slug": record.slug,
        "action": "updated" if action == "restored" else action,
        "version": record.version,
        "public": is_public(record),
        "public_before": public_before,
    }
    revision = {
        "record_id": record.id,
        "version": record.version,
        "action": action,
        "key_id": key_id,
        "snapshot": previous,
    }
    return change, revision


async def documents_changed(session: AsyncSession, record_id: uuid.UUID) -> None:
    """An outbox row for the record (in the caller's transaction): the indexer re-files its
    attachments' chunks. Outbox only: the change feed does not list it."""
    await session.execute(
        insert(Change).from_select(
            ["record_id", "kind", "slug", "action", "version", "public", "public_before"],
            select(
                Record.id,
                Record.kind,
                Record.slug,
                literal(DOCUMENTS),
                Record.version,
                literal(False),
                literal(False),
            ).where(Record.id == record_id),
        )
    )


@dataclass(frozen=True)
class Consumer:
    """One reader of the outbox. `entry` is `module:attribute` (named, not imported: the consumers
    import this module's writers); `started` says what runs it."""

    name: str
    runs_in: Literal["api", "worker", "database"]
    entry: str
    reads: str
    started: str
    trigger: str | None = None  # runs_in "database": the trigger on `changes` ...
    function: str | None = None  # ... the function it executes ...
    migration: str | None = None  # ... and the migration that creates both


CONSUMERS = (
    Consumer(
        name="indexer",
        runs_in="api",
        entry="app.search.sync:Indexer",
        reads="changes not yet indexed (indexed_at null), SKIP LOCKED; marks them indexed",
        started="app.main lifespan, when MEILI_URL is set and RUN_INDEXER is on",
    ),
    Consumer(
        name="document chunks",
        runs_in="api",
        entry="app.search.sync:Indexer",
        reads=f"changes with action {DOCUMENTS!r} (documents_changed): re-files the record's chunks",
        started="the indexer, in the same batches",
    ),
    Consumer(
        name="vectors",
        runs_in="worker",
        entry="app.search.jobs:embed_vectors",
        reads="vector_backlog, filled by the indexer from the changes it indexes",
        started="a job queued by the indexer (queue_for_vectors), and every minute",
    ),
    Consumer(
        name="webhooks",
        runs_in="database",
        entry="app.webhooks.jobs:deliver_webhook",
        reads="public changes after each subscription's cursor (app.changes.repository)",
        started="the trigger defers a delivery job per enabled subscription; wake_webhooks every minute",
        trigger="changes_wake_webhooks",
        function="migrantkb_wake_webhooks",
        migration="alembic/versions/2026-12-03-1300_webhooks.py",
    ),
)
