"""`migrantkb keys`: create, list and revoke API keys."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli.context import database_url, with_session

if TYPE_CHECKING:
    from app.models import ApiKey

keys_cli = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_cli.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="editor or admin")],
    name: Annotated[str, typer.Option(help="Who holds the key")] = "unnamed",
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Stop working after this many days")
    ] = None,
) -> None:
    """Make a key. It is printed once, alone on the last line; only its hash is kept."""
    # Local: the models cost every command ~0.6 s of start-up (-X importtime).
    from app.keys.service import KeyService

    if role not in ("editor", "admin"):
        raise typer.BadParameter("role must be editor or admin")
    database_url()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None

    async def make(session: AsyncSession) -> tuple[ApiKey, str]:
        return await KeyService(session).create(name, role, expires)  # type: ignore[arg-type]

    key, secret = asyncio.run(with_session(make))
    typer.echo(f"created {key.role} key {key.id} ({key.name}); it will not be shown again:")
    typer.echo(secret)


@keys_cli.command("list")
def keys_list() -> None:
    # Local: the models cost every command ~0.6 s of start-up (-X importtime).
    from app.keys.service import KeyService

    database_url()
    keys = asyncio.run(with_session(lambda s: KeyService(s).list()))
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        expiry = f"expires {k.expires_at:%Y-%m-%d}" if k.expires_at else "no expiry"
        typer.echo(
            f"{k.id}  {k.role:6}  {state:7}  {expiry}  last used {k.last_used_at or 'never'}  {k.name}"
        )


@keys_cli.command("revoke")
def keys_revoke(key_id: str) -> None:
    # Local: the models cost every command ~0.6 s of start-up (-X importtime).
    from app.keys.service import KeyService

    database_url()
    ok = asyncio.run(with_session(lambda s: KeyService(s).revoke(uuid.UUID(key_id))))
    typer.echo("revoked" if ok else "no such active key")
    raise typer.Exit(0 if ok else 1)
