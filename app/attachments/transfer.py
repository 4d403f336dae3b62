"""Attachments in the export and import format: a record's line lists its files by sha256 with
their metadata (`attachments: [{sha256, filename, title, media_type, size, languages}]`); the bytes
travel beside the NDJSON (`migrantkb export --with-files DIR` writes `DIR/files/<sha256>`) or are
in the store already. An import adds the attachments a record does not have (matched by sha256)
and updates the metadata of those it has; it never removes one (that is a DELETE of its own)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.content import lock_content
from app.attachments.jobs import queue_extraction
from app.attachments.schemas import ATTACHMENT_LANGUAGES
from app.attachments.service import _LANGUAGE, safe_filename
from app.attachments.sniff import HEAD_BYTES, sniff
from app.core.db import one_of
from app.files.store import FileStore
from app.models import Attachment

READ_CHUNK = 1024 * 1024


class AttachmentLine(BaseModel):
    """One attachment of a record in an import line (what the export writes)."""

    model_config = ConfigDict(extra="forbid")

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="The file's sha256 (hex).")]
    filename: Annotated[str, Field(min_length=1, max_length=1000)]
    title: Annotated[str | None, Field(max_length=500)] = None
    # Written by the export for the reader; the import reads the type and size from the bytes.
    media_type: str | None = None
    size: Annotated[int | None, Field(ge=0)] = None
    languages: list[str] = []

    @field_validator("languages")
    @classmethod
    def _languages(cls, values: list[str]) -> list[str]:
        out: list[str] = []
        for value in values:
            lang = _LANGUAGE.get(value.strip().lower())
            if lang is None:
                raise ValueError(f"{value!r} is not one of {', '.join(ATTACHMENT_LANGUAGES)}")
            if lang not in out:
                out.append(lang)
        return out


LINES = TypeAdapter(list[AttachmentLine])


def exported(row: Attachment) -> dict[str, Any]:
    return {
        "sha256": row.sha256,
        "filename": row.filename,
        "title": row.title,
        "media_type": row.media_type,
        "size": row.size,
        "languages": list(row.languages or []),
    }


async def attachments_of(
    session: AsyncSession, record_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    """The records' attachments, in upload order."""
    out: dict[uuid.UUID, list[Any]] = {}
    if record_ids:
        rows = await session.scalars(
            select(Attachment)
            .where(one_of(Attachment.record_id, list(record_ids)))
            .order_by(Attachment.record_id, Attachment.created_at, Attachment.id)
        )
        for row in rows:
            out.setdefault(row.record_id, []).append(row)
    return out


@dataclass
class Source:
    """Where an imported file's bytes are: the store already, or a file of the files directory."""

    media_type: str
    size: int
    path: Path | None = None  # None: in the store


def _read_file(path: Path, sha256: str, cap: int) -> tuple[str | None, int, str | None]:
    """(media type, size, problem) of a file that should have this sha256."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
        h.update(head)
        size = len(head)
        while chunk := f.read(READ_CHUNK):
            h.update(chunk)
            size += len(chunk)
            if size > cap:
                return None, size, f"{path.name} is larger than the limit of {cap:,} bytes"
    if h.hexdigest() != sha256:
        return None, size, f"{path} does not have this sha256 (it has {h.hexdigest()})"
    media_type = sniff(head)
    if media_type is None:
        return None, size, f"{path.name} is none of the accepted types"
    return media_type, size, None


@dataclass
class Files:
    """The files an import names, found before anything is written."""

    store: FileStore | None
    directory: Path | None
    max_bytes: int
    sources: dict[str, Source] = field(default_factory=dict)

    async def find(self, sha256: str) -> str | None:
        """Finds the bytes (or says why not)."""
        if sha256 in self.sources:
            return None
        if self.store is None:
            return "attachments cannot be imported here"
        if await self.store.exists(sha256):
            head = b"".join([c async for c in await self.store.open(sha256, 0, HEAD_BYTES)])
            size = await self.store.size(sha256)
            media_type = sniff(head)
            if media_type is None:  # cannot be: the store holds only accepted files
                return "the stored file is none of the accepted types"
            self.sources[sha256] = Source(media_type, size)
            return None
        path = self.directory / sha256 if self.directory else None
        if path is None or not path.is_file():
            where = f" or in {self.directory}" if self.directory else ""
            return (
                f"no file with this sha256 in the store{where}; export with `migrantkb export "
                "--with-files DIR` and import with `--files DIR/files`"
            )
        media_type, size, problem = await asyncio.to_thread(_read_file, path, sha256, self.max_bytes)
        if problem or media_type is None:
            return problem
        self.sources[sha256] = Source(media_type, size, path)
        return None

    async def write(
        self,
        session: AsyncSession,
        wanted: dict[uuid.UUID, list[dict[str, Any]]],
        key_id: uuid.UUID | None,
    ) -> int:
        """Adds the attachments the records lack, updates the metadata of the others; the number
        added. Bytes from the files directory are stored first (under the content lock)."""
        added = 0
        current = await attachments_of(session, list(wanted))
        for record_id, lines in wanted.items():
            have = {row.sha256: row for row in current.get(record_id, [])}
            for line in lines:
                sha256 = line["sha256"]
                source = self.sources[sha256]
                filename = safe_filename(line["filename"], source.media_type)
                title = (line.get("title") or "").strip() or None
                row = have.get(sha256)
                if row is not None:
                    row.filename, row.title, row.languages = filename, title, line["languages"]
                    continue
                await lock_content(session, sha256)
                if source.path is not None and self.store is not None:
                    with source.path.open("rb") as f:
                        await self.store.put(sha256, f)
                row = Attachment(
                    id=uuid.uuid4(),
                    record_id=record_id,
                    title=title,
                    filename=filename,
                    media_type=source.media_type,
                    size=source.size,
                    sha256=sha256,
                    languages=line["languages"],
                    extraction_state="pending",
                    key_id=key_id,
                    # Not the transaction's one time: the files keep the order the line gives.
                    created_at=dt.datetime.now(dt.UTC),
                )
                session.add(row)
                await session.flush()
                await queue_extraction(session, row.id)
                have[sha256] = row
                added += 1
        await session.flush()
        return added
