"""The search index: rebuild it, or compare it with PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli.context import database_url, search_index, with_session


def reindex() -> None:
    """Rebuild the search index from PostgreSQL and swap it in atomically."""
    # Local: the models and kinds cost every command ~1.3 s of start-up (-X importtime).
    from app.search.admin import reindex as rebuild

    database_url()
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("indexing", total=None)

        index = search_index()

        async def run(session: AsyncSession) -> int:
            try:
                return await rebuild(session, index, lambda n: bar.advance(task, n))
            finally:
                await index.aclose()

        count = asyncio.run(with_session(run))
    typer.echo(f"reindexed {count} public records into {index.uid!r}")


def check_index_command() -> None:
    """Compare PostgreSQL with the search index (ids and versions) and report drift."""
    # Local: the models and kinds cost every command ~1.3 s of start-up (-X importtime).
    from app.search.admin import check_index

    database_url()

    index = search_index()

    async def run(session: AsyncSession) -> Any:
        try:
            return await check_index(session, index)
        finally:
            await index.aclose()

    drift = asyncio.run(with_session(run))
    for name in ("missing", "extra", "stale"):
        ids = getattr(drift, name)
        typer.echo(f"{name}: {len(ids)}" + (f"  e.g. {', '.join(ids[:5])}" if ids else ""))
    typer.echo("index matches PostgreSQL" if drift.clean else "drift found: run `migrantkb reindex`")
    raise typer.Exit(0 if drift.clean else 1)
