"""The schema: migrate the database, write the OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.context import database_url
from app.runtime.migrations import ROOT, run_migrations


def migrate() -> None:
    """Create the database if needed and apply all migrations."""
    run_migrations(database_url(create=True))
    typer.echo("migrated")


def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the schema")] = ROOT
    / "openapi"
    / "openapi.json",
) -> None:
    """Write the app's OpenAPI schema (committed at openapi/openapi.json)."""
    # Local: the whole app costs every command ~6 s of start-up (-X importtime).
    from app.main import create_app

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(openapi_text(create_app().openapi()), encoding="utf-8")
    typer.echo(f"wrote {output}")


def openapi_text(schema: dict[str, object]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
