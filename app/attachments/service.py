"""Attachments of a record: upload (sniffed, capped, hashed, stored once, row and extraction job
committed together), list, read, download, delete. An attachment is public exactly when its record
is (`is_public`); editors see every record's."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from typing import IO, Any, NamedTuple

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.content import forget_unreferenced, lock_content
from app.attachments.jobs import queue_extraction
from app.attachments.schemas import ATTACHMENT_LANGUAGES
from app.attachments.sniff import EXTENSIONS, HEAD_BYTES, sniff
from app.changes.outbox import documents_changed
from app.core.db import on_commit, on_rollback
from app.core.errors import (
    CommitFailed,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
    field_error,
)
from app.files.store import FileStore
from app.keys.service import Viewer
from app.models import Attachment, Record, is_public
from app.records.repository import by_key
from app.records.spec import KindSpec

_LANGUAGE = {lang.lower(): lang for lang in ATTACHMENT_LANGUAGES}
MAX_FILENAME = 255
READ_CHUNK = 1024 * 1024


class Listed(NamedTuple):
    record: Any
    rows: list[Attachment]
    total: int


def safe_filename(name: str | None, media_type: str) -> str:
    """The name as a user would want it shown and saved: NFC, the last path segment only (no
    `../`, no folders of either slash), no control or format characters, no leading dots, at most
    255 characters, the extension kept; a name left empty becomes `attachment` + the type's."""
    raw = unicodedata.normalize("NFC", name or "")
    raw = re.split(r"[/\\]", raw)[-1]
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    raw = re.sub(r"\s+", " ", raw).strip().lstrip(".").strip()
    if len(raw) > MAX_FILENAME:
        _, dot, ext = raw.rpartition(".")
        keep = f".{ext}" if dot and len(ext) <= 10 else ""
        raw = raw[: MAX_FILENAME - len(keep)] + keep
    return raw or f"attachment{EXTENSIONS.get(media_type, '')}"


def check_languages(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for i, value in enumerate(v.strip() for raw in values for v in raw.split(",")):
        if not value:
            continue
        lang = _LANGUAGE.get(value.lower())
        if lang is None:
            raise Unprocessable(
                [
                    field_error(
                        ["languages", i],
                        f"{value!r} is not one of {', '.join(ATTACHMENT_LANGUAGES)}",
                        "language",
                    )
                ]
            )
        if lang not in out:
            out.append(lang)
    return out


def _digest(file: IO[bytes], cap: int) -> tuple[str, int, bytes]:
    """sha256, size and first bytes of a file, reading at most cap + 1 bytes."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    h = hashlib.sha256(head)
    size = len(head)
    while size <= cap:
        chunk = file.read(READ_CHUNK)
        if not chunk:
            break
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size, head


class AttachmentService:
    def __init__(
        self, session: AsyncSession, spec: KindSpec, viewer: Viewer, store: FileStore, max_bytes: int
    ) -> None:
        self.session = session
        self.spec = spec
        self.viewer = viewer
        self.store = store
        self.max_bytes = max_bytes

    async def record(self, key: str) -> Any:
        """The record (id, slug, publication) the viewer may see, or 404."""
        stmt = select(Record.id, Record.slug, Record.publication, Record.deleted_at).where(
            Record.kind == self.spec.kind, Record.deleted_at.is_(None), by_key(key)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None or not (self.viewer.is_editor or is_public(row)):
            raise NotFound(f"No {self.spec.kind} with id or slug {key!r}.")
        return row

    async def list(self, key: str, limit: int, after: tuple[dt.datetime, uuid.UUID] | None) -> Listed:
        """Oldest first, `limit` + 1 rows (one more says there is another page), after `after`
        (the previous page's last `created_at`, `id`); and how many the record has."""
        record = await self.record(key)
        stmt = select(Attachment).where(Attachment.record_id == record.id)
        if after is not None:
            stmt = stmt.where(tuple_(Attachment.created_at, Attachment.id) > tuple_(*after))
        rows = await self.session.scalars(
            stmt.order_by(Attachment.created_at, Attachment.id).limit(limit + 1)
        )
        total = await self.session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.record_id == record.id)
        )
        return Listed(record, list(rows), int(total or 0))

    async def get(self, key: str, attachment_id: uuid.UUID) -> tuple[Any, Attachment]:
        record = await self.record(key)
        row = await self.session.scalar(
            select(Attachment).where(Attachment.id == attachment_id, Attachment.record_id == record.id)
        )
        if row is None:
            raise NotFound(f"No attachment {attachment_id} on {self.spec.kind} {key!r}.")
        return record, row

    async def upload(
        self, key: str, file: IO[bytes], filename: str | None, title: str | None, languages: Sequence[str]
    ) -> tuple[Any, Attachment]:
        """Checks everything before anything is written; stores the bytes, then adds the row and its
        extraction job (the request's unit of work commits them). If the transaction rolls back or
        its commit fails, bytes no row names are removed again."""
        record = await self.record(key)
        langs = check_languages(languages)
        sha256, size, head = await asyncio.to_thread(_digest, file, self.max_bytes)
        if size > self.max_bytes:
            raise PayloadTooLarge(
                f"The file is larger than the limit of {self.max_bytes:,} bytes (MAX_ATTACHMENT_BYTES)."
            )
        if size == 0:
            raise Unprocessable([field_error(["file"], "the file is empty", "empty")])
        media_type = sniff(head)
        if media_type is None:
            raise UnsupportedMediaType(
                "The file is none of the accepted types (PDF, DOCX, ODT, HTML, plain text, JPEG, PNG, "
                "TIFF); its type is read from its bytes, not its name."
            )
        attachment = Attachment(
            id=uuid.uuid4(),
            record_id=record.id,
            title=(title or "").strip() or None,
            filename=safe_filename(filename, media_type),
            media_type=media_type,
            size=size,
            sha256=sha256,
            languages=langs,
            extraction_state="pending",
            key_id=self.viewer.key_id,
        )
        await lock_content(self.session, sha256)
        await self.store.put(sha256, file)
        on_rollback(self.session, lambda: forget_unreferenced(self.session, self.store, sha256))
        try:
            self.session.add(attachment)
            await self.session.flush()
            await queue_extraction(self.session, attachment.id)
        except (IntegrityError, DBAPIError) as exc:
            raise CommitFailed from exc
        return record, attachment

    async def delete(self, key: str, attachment_id: uuid.UUID) -> None:
        _, row = await self.get(key, attachment_id)
        sha256 = row.sha256
        await self.session.execute(delete(Attachment).where(Attachment.id == attachment_id))
        if row.pages:
            await documents_changed(self.session, row.record_id)
        on_commit(self.session, lambda: forget_unreferenced(self.session, self.store, sha256))
