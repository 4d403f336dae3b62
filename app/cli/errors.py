"""The `error:` line `main` prints instead of a traceback."""

from __future__ import annotations

import os
import socket

import asyncpg
import pydantic
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


def describe(exc: BaseException) -> str:
    """One line for a failure a user can foresee and fix; the traceback is for --debug."""
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
        return f"cannot reach PostgreSQL ({redact(url)}): {exc}"
    if isinstance(exc, pydantic.ValidationError):
        return "invalid setting: " + "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
    if isinstance(exc, FileNotFoundError):
        return f"{exc.strerror}: {exc.filename}"
    if isinstance(exc, RuntimeError):  # the runtime's own messages (no binary, port or data dir taken)
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"
