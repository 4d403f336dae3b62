"""`migrantkb import-observations`: an indicator's values from a published file (World Bank JSON or
CSV, Open SDG CSV, SDMX-ML/JSON), all or nothing, with the source they come from."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer

from app.cli.context import database_url, with_session


def import_observations_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The published file")],
    indicator: Annotated[str, typer.Option(help="The indicator's key (slug)")],
    format: Annotated[str, typer.Option(help="wb-json, wb-csv, open-sdg, sdmx-ml or sdmx-json")],
    source: Annotated[str, typer.Option(help="The source's key")],
    publisher: Annotated[str | None, typer.Option(help="A new source's publisher")] = None,
    title: Annotated[str | None, typer.Option(help="A new source's title")] = None,
    url: Annotated[str | None, typer.Option(help="A new source's address")] = None,
    vintage: Annotated[str | None, typer.Option(help="Which release (2026-04)")] = None,
    via: Annotated[str | None, typer.Option(help="The copy or report the values were read from")] = None,
    country: Annotated[str | None, typer.Option(help="Open SDG: the platform's country")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count; write nothing")] = False,
) -> None:
    """Import an indicator's observations from a published file, all or nothing."""
    # Local: the models and kinds cost every command ~2 s of start-up.
    from app.indicators.formats import FORMATS
    from app.indicators.importer import ImportRequest, import_observations
    from app.indicators.kind import INDICATOR
    from app.indicators.rows import SourceIn
    from app.seed import SYSTEM

    if format not in FORMATS:
        raise typer.BadParameter(f"format must be one of {', '.join(FORMATS)}")
    described = SourceIn.described(
        source, publisher=publisher, title=title, url=url, vintage=vintage, via=via
    )
    database_url()
    request = ImportRequest(indicator, format, source, described, country, dry_run)
    data = path.read_bytes()
    started = time.perf_counter()
    report = asyncio.run(
        with_session(lambda session: import_observations(session, INDICATOR, SYSTEM, request, data))
    )
    seconds = time.perf_counter() - started
    for e in report.errors[:50]:
        typer.echo(f"line {e.line} {e.path}: {e.message}", err=True)
    if report.errors:
        typer.echo(f"{len(report.errors)} problem(s); nothing was imported", err=True)
        raise typer.Exit(1)
    what = "checked (dry run)" if dry_run else "imported"
    typer.echo(
        f"{report.rows} values {what} into {report.indicator} from {report.source} in {seconds:.2f} s: "
        f"{report.counts.added} added, {report.counts.replaced} replaced, {report.counts.skipped} skipped"
    )
