"""`migrantkb`: serve, dev, worker, migrate, seed, import, export, attach, keys, openapi."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Annotated, Any, TypeVar, cast

import platformdirs
import typer
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncSession

from alembic import command
from app.core.config import get_settings

T = TypeVar("T")

cli = typer.Typer(
    help="Migrant-rights knowledge base API. Add --debug to any command to see tracebacks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
keys_cli = typer.Typer(help="API keys.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("migrantkb")


def _database_url(*, create: bool = False) -> str:
    """The database to use; created if missing only by the commands that set one up (a typo in
    DATABASE_URL elsewhere is an error, not a new empty database)."""
    from app.runtime.postgres import ensure_database, resolve_database_url

    url = resolve_database_url(get_settings())
    if create:
        ensure_database(url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def run_migrations(url: str) -> None:

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.upgrade(config, "head")


async def _with_session(fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from app.core.db import make_engine, make_sessionmaker

    engine = make_engine(get_settings().database_url or "", pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            result = await fn(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


@cli.command()
def migrate() -> None:
    """Create the database if needed and apply all migrations."""
    run_migrations(_database_url(create=True))
    typer.echo("migrated")


@cli.command()
def seed() -> None:
    """Load the committed seed dataset (upsert by kind and slug)."""
    from app.runtime.statistics import vacuum_after_bulk
    from app.seed import load_seed

    _database_url()
    counts = asyncio.run(_with_session(load_seed))
    if counts.created or counts.updated:
        asyncio.run(vacuum_after_bulk(get_settings().database_url or ""))
    typer.echo(f"seed: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged")


# After an import this large (and after a seed) the tables are vacuumed and analyzed at once.
BULK_ROWS = 1000


@cli.command("import")
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
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.attachments.transfer import Files
    from app.files.store import FileStore
    from app.imports.service import Format, ImportService
    from app.runtime.statistics import vacuum_after_bulk
    from app.seed import SYSTEM

    fmt = format or ("csv" if path.suffix.lower() == ".csv" else "ndjson")
    if fmt not in ("ndjson", "csv"):
        raise typer.BadParameter("format must be ndjson or csv")
    _database_url()
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
            service = ImportService(session, SYSTEM, languages=settings.languages, files=sources)
            return await service.run(
                path, cast(Format, fmt), dry_run=dry_run, progress=lambda n: bar.advance(task, n)
            )

        report = asyncio.run(_with_session(run))
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


@cli.command("export")
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
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.core.db import make_engine, make_sessionmaker
    from app.exports.service import Written, export_to
    from app.files.store import FileStore
    from app.registry import KINDS

    kinds = kind or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown kind {unknown[0]!r}; use one of: {', '.join(KINDS)}")
    if with_files and output:
        raise typer.BadParameter("--with-files writes DIR/records.ndjson: leave out --output")
    _database_url()
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


@cli.command()
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
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from app.attachments.service import AttachmentService
    from app.core.errors import AppError
    from app.files.store import FileStore
    from app.registry import KINDS
    from app.seed import SYSTEM

    spec = KINDS.get(kind) or next((s for s in KINDS.values() if s.plural == kind), None)
    if spec is None or not spec.attachments:
        takes = ", ".join(k for k, s in KINDS.items() if s.attachments)
        raise typer.BadParameter(f"{kind!r} takes no attachments; these kinds do: {takes}")
    _database_url()
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
                record, row = asyncio.run(_with_session(upload))
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


def _search_index() -> Any:
    from app.search.index import SearchIndex

    index = SearchIndex.from_settings(get_settings(), timeout=30)
    if index is None:
        raise typer.BadParameter("set MEILI_URL (and MEILI_MASTER_KEY) to the Meilisearch to use")
    return index


@cli.command()
def reindex() -> None:
    """Rebuild the search index from PostgreSQL and swap it in atomically."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.search.admin import reindex as rebuild

    _database_url()
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("indexing", total=None)

        index = _search_index()

        async def run(session: AsyncSession) -> int:
            try:
                languages = get_settings().languages
                return await rebuild(session, index, languages, lambda n: bar.advance(task, n))
            finally:
                await index.aclose()

        count = asyncio.run(_with_session(run))
    typer.echo(f"reindexed {count} public records into {index.uid!r}")


@cli.command("check-index")
def check_index_command() -> None:
    """Compare PostgreSQL with the search index (ids and versions) and report drift."""
    from app.search.admin import check_index

    _database_url()

    index = _search_index()

    async def run(session: AsyncSession) -> Any:
        try:
            return await check_index(session, index)
        finally:
            await index.aclose()

    drift = asyncio.run(_with_session(run))
    for name in ("missing", "extra", "stale"):
        ids = getattr(drift, name)
        typer.echo(f"{name}: {len(ids)}" + (f"  e.g. {', '.join(ids[:5])}" if ids else ""))
    typer.echo("index matches PostgreSQL" if drift.clean else "drift found: run `migrantkb reindex`")
    raise typer.Exit(0 if drift.clean else 1)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default: PORT or 8000")] = None,
    workers: Annotated[int | None, typer.Option(help="Default: WORKERS or 1")] = None,
) -> None:
    """Serve the API with the environment's settings (no set-up: see `dev`)."""
    import uvicorn

    from app.core.observability import configure_logging
    from app.runtime.ports import check_port

    configure_logging()
    settings = get_settings()
    check_port(host or settings.host, port or settings.port)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        forwarded_allow_ips=list(settings.forwarded_allow_ips),  # proxy headers only from these (uvicorn)
        timeout_keep_alive=settings.keep_alive_seconds,
        timeout_graceful_shutdown=20,
        log_config=None,  # keep the JSON logging configured above
    )


@cli.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Jobs at once. Default: WORKER_CONCURRENCY or 1")
    ] = None,
    until_empty: Annotated[bool, typer.Option(help="Stop once the queue is empty.")] = False,
) -> None:
    """Run background jobs (text extraction and OCR); start more processes to do more at once."""
    from app.core.observability import configure_logging
    from app.jobs.worker import run_worker

    configure_logging()
    _database_url()
    asyncio.run(run_worker(get_settings(), wait=not until_empty, concurrency=concurrency))


def _start_worker() -> subprocess.Popen[bytes]:
    """The worker beside the API (`dev`): its own process, the same environment."""
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=os.environ.copy())


@cli.command()
def dev() -> None:
    """Find or start PostgreSQL and Meilisearch, migrate, seed, and serve. Ctrl-C stops all of it."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):  # no line per call to Meilisearch
        logging.getLogger(name).setLevel(logging.WARNING)
    from app.runtime.postgres import where

    settings = get_settings()
    url = _database_url(create=True)
    typer.echo(f"PostgreSQL: {where(url)}")
    meili = None
    if not settings.meili_url:
        from app.core.config import database_key
        from app.runtime.meili import start_local

        # Each database gets its own Meilisearch data: two instances on two databases never meet.
        data = Path(platformdirs.user_data_dir("migrantkb")) / "meilisearch" / database_key(url)
        meili = start_local(data, settings.meili_bin)
        os.environ["MEILI_URL"] = meili.url
        os.environ["MEILI_MASTER_KEY"] = meili.master_key
        get_settings.cache_clear()
        typer.echo(f"Meilisearch: {meili.url} (started)")
    worker_process: subprocess.Popen[bytes] | None = None
    # uvicorn re-raises the signal that stopped it; make SIGTERM, like Ctrl-C, unwind through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        run_migrations(url)
        seed()
        reindex()  # the index may be new or stale: rebuild it (seconds for the seed)
        settings = get_settings()
        worker_process = _start_worker()
        typer.echo(f"Worker: pid {worker_process.pid} (text extraction and OCR)")
        typer.echo(f"Serving on http://{settings.host}:{settings.port}  (docs: /docs)")
        serve(host=None, port=None, workers=None)
    finally:
        if worker_process is not None:
            worker_process.terminate()
            try:
                worker_process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                worker_process.kill()
        if meili is not None:
            meili.stop()


@keys_cli.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="editor or admin")],
    name: Annotated[str, typer.Option(help="Who holds the key")] = "unnamed",
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Stop working after this many days")
    ] = None,
) -> None:
    """Make a key. It is printed once, alone on the last line; only its hash is kept."""
    from app.keys.service import KeyService
    from app.models import ApiKey

    if role not in ("editor", "admin"):
        raise typer.BadParameter("role must be editor or admin")
    _database_url()

    import datetime as dt

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None

    async def make(session: AsyncSession) -> tuple[ApiKey, str]:
        return await KeyService(session).create(name, role, expires)  # type: ignore[arg-type]

    key, secret = asyncio.run(_with_session(make))
    typer.echo(f"created {key.role} key {key.id} ({key.name}); it will not be shown again:")
    typer.echo(secret)


@keys_cli.command("list")
def keys_list() -> None:
    from app.keys.service import KeyService

    _database_url()
    keys = asyncio.run(_with_session(lambda s: KeyService(s).list()))
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        expiry = f"expires {k.expires_at:%Y-%m-%d}" if k.expires_at else "no expiry"
        typer.echo(
            f"{k.id}  {k.role:6}  {state:7}  {expiry}  last used {k.last_used_at or 'never'}  {k.name}"
        )


@keys_cli.command("revoke")
def keys_revoke(key_id: str) -> None:
    import uuid

    from app.keys.service import KeyService

    _database_url()
    ok = asyncio.run(_with_session(lambda s: KeyService(s).revoke(uuid.UUID(key_id))))
    typer.echo("revoked" if ok else "no such active key")
    raise typer.Exit(0 if ok else 1)


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the schema")] = ROOT
    / "openapi"
    / "openapi.json",
) -> None:
    """Write the app's OpenAPI schema (committed at openapi/openapi.json)."""
    from app.main import create_app

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(openapi_text(create_app().openapi()), encoding="utf-8")
    typer.echo(f"wrote {output}")


def openapi_text(schema: dict[str, object]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def describe(exc: BaseException) -> str:
    """One line for a failure a user can foresee and fix; the traceback is for --debug."""
    import asyncpg
    import pydantic
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return describe(exc.orig.__cause__ or exc.orig)
    url = os.environ.get("DATABASE_URL", "the database")
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return f"PostgreSQL refused the login ({exc}); check the user and password in DATABASE_URL"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"{exc}; check DATABASE_URL, or run `migrantkb migrate` to create it"
    if isinstance(exc, asyncpg.UndefinedTableError):
        return f"the database is not migrated ({exc}); run `migrantkb migrate`"
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return f"cannot reach PostgreSQL ({_redact(url)}): {exc}"
    if isinstance(exc, pydantic.ValidationError):
        return "invalid setting: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
    if isinstance(exc, FileNotFoundError):
        return f"{exc.strerror}: {exc.filename}"
    if isinstance(exc, RuntimeError):  # the runtime's own messages (no binary, port or data dir taken)
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    try:
        cli()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"error: {describe(exc)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
