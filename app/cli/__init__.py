"""`migrantkb`: serve, dev, worker, migrate, seed, import, export, attach, keys, openapi.

The commands live in modules by subject (data, search, serve, worker, keys, db); this module lists
them in the order `--help` shows them and turns foreseeable failures into one `error:` line."""

from __future__ import annotations

import sys

import typer

from app.cli import data, db, figures, keys, search, serve, worker
from app.cli.errors import describe

cli = typer.Typer(
    help="Migrant-rights knowledge base API. Add --debug to any command to see tracebacks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cli.add_typer(keys.keys_cli, name="keys")
cli.command()(db.migrate)
cli.command()(data.seed)
cli.command("import")(data.import_file)
cli.command("export")(data.export_command)
cli.command("import-observations")(figures.import_observations_command)
cli.command()(data.attach)
cli.command()(search.reindex)
cli.command("check-index")(search.check_index_command)
cli.command()(serve.serve)
cli.command()(worker.worker)
cli.command()(serve.dev)
cli.command()(db.openapi)


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
