"""Records in and out: seed, import, export, attach."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli.context import database_url, with_session
from app.core.config import get_settings
from app.core.db import make_engine, make_sessionmaker
from app.core.errors import AppError
from app.files.store import FileStore
from app.runtime.statistics import vacuum_after_bulk

if TYPE_CHECKING:
    from app.exports.service import Written

# After an import this large (and after a seed) the tables are vacuumed and analyzed at once.
BULK_ROWS = 1000


def seed() -> None:
    """Load the committed seed dataset (upsert by kind and slug)."""
    # Local: the models and kinds cost every command ~2 s of start-up (-X importtime).
    from app.seed import load_seed

    database_url()
    counts = asyncio.run(with_session(load_seed))
    if counts.created or counts.updated:
        asyncio.run(vacuum_after_bulk(get_settings().database_url or ""))
    typer.echo(f"seed: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged")


def import_file(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON, or CSV of organizations")
    ],
    format: Annotated[str | None, typer.Option(help="ndjson or csv; default from the file name")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing")] = False,
    files: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            exists=True,
            help="Attachments' bytes, named by sha256 (default: a `files` folder beside the file)",
        ),
    ] = None,
) -> None:
    """Upsert records from a file, all or nothing, with a progress bar and a summary."""
    # Local: the models and kinds cost every command ~2 s of start-up (-X importtime).
    from app.attachments.transfer import Files
    from app.imports.service import Format, ImportService
    from app.seed import SYSTEM

    fmt = format or ("csv" if path.suffix.lower() == ".csv" else "ndjson")
    if fmt not in ("ndjson", "csv"):
        raise typer.BadParameter("format must be ndjson or csv")
    database_url()
    settings = get_settings()
    beside = path.parent / "files"
    sources = Files(
        FileStore.from_settings(settings),
        files or (beside if beside.is_dir() else None),
        settings.max_attachment_bytes,
    )
    console = Console(stderr=True)
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("importing", total=None)

        async def run(session: AsyncSession) -> Any:
            service = ImportService(session, SYSTEM, files=sources)
            return await service.run(
                path, cast(Format, fmt), dry_run=dry_run, progress=lambda n: bar.advance(task, n)
            )

        report = asyncio.run(with_session(run))
        if report.committed and report.counts.created + report.counts.updated >= BULK_ROWS:
            asyncio.run(vacuum_after_bulk(get_settings().database_url or ""))
    for e in report.errors:
        console.print(f"line {e.line} {e.path or '(line)'}: {e.message}", markup=False, soft_wrap=True)
    c = report.counts
    state = (
        "dry run, nothing written" if dry_run else ("committed" if report.committed else "nothing written")
    )
    typer.echo(
        f"{report.lines} lines: {c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
        f"{c.rejected} rejected, {c.attachments} attachments added ({state})"
    )
    raise typer.Exit(1 if report.errors else 0)


def export_command(
    kind: Annotated[list[str] | None, typer.Option(help="A kind to export (repeat); default all")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="NDJSON file; default stdout")
    ] = None,
    with_files: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Write DIR/records.ndjson and the attachments' bytes as DIR/files/<sha256>",
        ),
    ] = None,
) -> None:
    """Every published record as NDJSON (the import format), optionally with the files: `migrantkb
    import DIR/records.ndjson` on another base brings records and attachments over whole."""
    # Local: the models and kinds cost every command ~2 s of start-up (-X importtime).
    from app.exports.service import export_to
    from app.registry import KINDS

    kinds = kind or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown kind {unknown[0]!r}; use one of: {', '.join(KINDS)}")
    if with_files and output:
        raise typer.BadParameter("--with-files writes DIR/records.ndjson: leave out --output")
    database_url()
    settings = get_settings()
    files_dir = with_files / "files" if with_files else None
    if files_dir:
        files_dir.mkdir(parents=True, exist_ok=True)
    target = with_files / "records.ndjson" if with_files else output

    async def run(bar: Progress, task: Any) -> Written:
        engine = make_engine(settings.database_url or "", pool_size=2)
        try:
            with target.open("wb") if target else os.fdopen(os.dup(1), "wb") as out:
                return await export_to(
                    make_sessionmaker(engine),
                    kinds,
                    out,
                    store=FileStore.from_settings(settings),
                    files_dir=files_dir,
                    progress=lambda n: bar.advance(task, n),
                )
        finally:
            await engine.dispose()

    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}", MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        written = asyncio.run(run(bar, bar.add_task("exporting", total=None)))
    files = f", {written.files} files ({written.bytes:,} bytes) in {files_dir}" if files_dir else ""
    console.print(
        f"exported {written.records} records to {target or 'stdout'}{files}", markup=False, soft_wrap=True
    )


def attach(
    kind: Annotated[str, typer.Argument(help="law, policy, event or publication")],
    key: Annotated[str, typer.Argument(help="The record's id or slug")],
    paths: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="The files")],
    title: Annotated[str | None, typer.Option(help="A title to show (default: none)")] = None,
    language: Annotated[
        list[str] | None, typer.Option(help="A language of the documents (repeat): OCR reads them in it")
    ] = None,
) -> None:
    """Attach files to a record, with a progress bar; their text is extracted by the worker."""
    # Local: the models and kinds cost every command ~2 s of start-up (-X importtime).
    from app.attachments.service import AttachmentService
    from app.registry import KINDS
    from app.seed import SYSTEM

    spec = KINDS.get(kind) or next((s for s in KINDS.values() if s.plural == kind), None)
    if spec is None or not spec.attachments:
        takes = ", ".join(k for k, s in KINDS.items() if s.attachments)
        raise typer.BadParameter(f"{kind!r} takes no attachments; these kinds do: {takes}")
    database_url()
    settings = get_settings()
    store = FileStore.from_settings(settings)
    console = Console(stderr=True)
    failed = 0
    sizes = {p: p.stat().st_size for p in paths}
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        # Each file is read twice (its sha256 and type, then into the store).
        task = bar.add_task("attaching", total=2 * sum(sizes.values()))
        for path in paths:
            bar.update(task, description=path.name)
            done = bar.tasks[0].completed

            async def upload(session: AsyncSession, path: Path = path) -> Any:
                service = AttachmentService(session, spec, SYSTEM, store, settings.max_attachment_bytes)
                with path.open("rb") as raw:
                    reader = cast(IO[bytes], _Counted(raw, lambda n: bar.advance(task, n)))
                    return await service.upload(key, reader, path.name, title, language or [])

            try:
                record, row = asyncio.run(with_session(upload))
            except AppError as exc:
                failed += 1
                console.print(f"{path}: {exc.detail}", markup=False, soft_wrap=True)
                continue
            finally:
                bar.update(task, completed=done + 2 * sizes[path])
            console.print(
                f"{path} → {spec.plural}/{record.slug}/attachments/{row.id} "
                f"({row.media_type}, {row.size:,} bytes; extraction queued)",
                markup=False,
                soft_wrap=True,
            )
    raise typer.Exit(1 if failed else 0)


class _Counted:
    """A file whose reads are counted (the progress bar)."""

    def __init__(self, raw: Any, on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read

    def read(self, n: int = -1) -> bytes:
        data: bytes = self._raw.read(n)
        self._on_read(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._raw.seek(offset, whence))

    def tell(self) -> int:
        return int(self._raw.tell())
