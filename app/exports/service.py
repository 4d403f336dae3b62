"""Stream every public record in the import format, in constant memory (server-side cursor); the
kinds that take files list their attachments' metadata (app/attachments/transfer.py)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.attachments.transfer import attachments_of, exported
from app.core.i18n import LANGUAGES
from app.exports.cells import neutralised
from app.files.store import FileStore
from app.models import Record, visible
from app.records.present import public_body
from app.records.repository import loader_options
from app.records.spec import KindSpec
from app.registry import KINDS

BATCH = 500


async def public_records(
    sessionmaker: async_sessionmaker[AsyncSession], kinds: Iterable[str], *, with_ids: bool = False
) -> AsyncIterator[dict[str, Any]]:
    """Every public record of these kinds in the import format (with `id` too, when asked)."""
    async with sessionmaker() as session:
        for kind in kinds:
            spec = KINDS[kind]
            stmt = (
                select(spec.model)
                .options(*loader_options(spec))
                .where(visible())
                .order_by(Record.slug)
                .execution_options(yield_per=BATCH)
            )
            result = await session.stream_scalars(stmt)
            async for batch in result.partitions(BATCH):
                files = await attachments_of(session, [r.id for r in batch]) if spec.attachments else {}
                carried = await spec.carried.read(session, [r.id for r in batch]) if spec.carried else {}
                for record in batch:
                    body = public_body(record, spec)
                    if with_ids:
                        body["id"] = str(record.id)
                    if spec.attachments:
                        body["attachments"] = [exported(row) for row in files.get(record.id, [])]
                    if spec.carried and record.id in carried:
                        body[spec.carried.field] = carried[record.id]
                    yield body


@dataclass
class Written:
    records: int = 0
    files: int = 0
    bytes: int = 0


async def export_to(
    sessionmaker: async_sessionmaker[AsyncSession],
    kinds: Iterable[str],
    out: IO[bytes],
    *,
    store: FileStore | None = None,
    files_dir: Path | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> Written:
    """NDJSON of every public record into `out`; with `files_dir`, each attachment's bytes beside
    it as `files_dir/<sha256>` (once per file, whatever number of records name it; a file there
    already with the right size is kept), so the directory moves a base whole."""
    written = Written()
    seen: set[str] = set()
    async for body in public_records(sessionmaker, kinds):
        out.write(json.dumps(body, ensure_ascii=False, default=str).encode() + b"\n")
        written.records += 1
        progress(1)
        if files_dir is None or store is None:
            continue
        for f in body.get("attachments") or ():
            if f["sha256"] in seen:
                continue
            seen.add(f["sha256"])
            target = files_dir / f["sha256"]
            if not (target.is_file() and target.stat().st_size == f["size"]):
                partial = target.with_suffix(".partial")
                await store.download(f["sha256"], partial)
                partial.replace(target)
            written.files += 1
            written.bytes += f["size"]
    return written


async def ndjson_lines(records: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    buffer: list[str] = []
    async for body in records:
        buffer.append(json.dumps(body, ensure_ascii=False, default=str))
        if len(buffer) >= BATCH:
            yield ("\n".join(buffer) + "\n").encode()
            buffer.clear()
    if buffer:
        yield ("\n".join(buffer) + "\n").encode()


def csv_columns(spec: KindSpec) -> list[str]:
    columns = ["kind", "slug"]
    columns += [f"{spec.title_field}_{lang}" for lang in LANGUAGES]
    columns += [f"{spec.summary_field}_{lang}" for lang in LANGUAGES]
    skip = {"slug", spec.title_field, spec.summary_field}
    columns += [name for name in spec.in_schema.model_fields if name not in skip]
    return columns


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return neutralised("|".join(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return neutralised(str(value))


async def csv_lines(spec: KindSpec, records: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """One kind per CSV. Localized text in `<field>_<lang>` columns, string lists joined by `|`,
    structured values as JSON."""
    columns = csv_columns(spec)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    yield ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheet apps then read UTF-8 correctly
    rows = 0
    async for body in records:
        flat: dict[str, Any] = {"kind": body["kind"], "slug": body["slug"]}
        for field in (spec.title_field, spec.summary_field):
            for lang, text in (body.get(field) or {}).items():
                flat[f"{field}_{lang}"] = text
        for name, value in body.items():
            if name not in flat and name not in (spec.title_field, spec.summary_field):
                flat[name] = value
        if rows % BATCH == 0:
            out.seek(0)
            out.truncate()
        writer.writerow([_cell(flat.get(c)) for c in columns])
        rows += 1
        if rows % BATCH == 0:
            yield out.getvalue().encode()
    if rows % BATCH:
        yield out.getvalue().encode()
