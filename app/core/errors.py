"""Typed application errors, rendered as RFC 9457 problem+json by one handler."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi_problem.handler import add_exception_handler, new_exception_handler
from rfc9457 import StatusProblem
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("migrantkb")


class AppError(StatusProblem):
    """Base of every error the API returns on purpose."""


class BadRequest(AppError):
    type_ = "bad-request"
    title = "The request is malformed."
    status = 400


class Unauthorized(AppError):
    type_ = "unauthorized"
    title = "An API key is required."
    status = 401
    headers_ = {"WWW-Authenticate": 'Bearer realm="migrantkb"'}  # noqa: RUF012


class Forbidden(AppError):
    type_ = "forbidden"
    title = "This API key's role may not do that."
    status = 403


class NotFound(AppError):
    type_ = "not-found"
    title = "No such resource."
    status = 404


class Conflict(AppError):
    type_ = "conflict"
    title = "The request conflicts with the current state."
    status = 409


class PreconditionFailed(AppError):
    type_ = "precondition-failed"
    title = "The record changed since you read it."
    status = 412


class PayloadTooLarge(AppError):
    type_ = "payload-too-large"
    title = "The request body is too large."
    status = 413


class UnsupportedMediaType(AppError):
    type_ = "unsupported-media-type"
    title = "Unsupported content type."
    status = 415


class RangeNotSatisfiable(AppError):
    type_ = "range-not-satisfiable"
    title = "The range asked for lies outside the file."
    status = 416

    def __init__(self, size: int) -> None:
        super().__init__(
            f"The file has {size:,} bytes; ask for a range within them.",
            headers={"Content-Range": f"bytes */{size}"},
        )


class Unprocessable(AppError):
    type_ = "validation-failed"
    title = "The request failed validation."
    status = 422

    def __init__(self, errors: Sequence[Mapping[str, Any]], detail: str | None = None) -> None:
        super().__init__(
            detail or "; ".join(f"{e['path']}: {e['message']}" for e in errors), errors=list(errors)
        )

    @classmethod
    def lines(cls, errors: Sequence[Any]) -> Unprocessable:
        """An import's problems (each with `line`, `path`, `message`): nothing was imported."""
        return cls(
            [{"path": f"/line/{e.line}{e.path}", "message": e.message, "line": e.line} for e in errors],
            detail=f"{len(errors)} problem(s); nothing was imported.",
        )


class CommitFailed(AppError):
    type_ = "not-saved"
    title = "The change could not be saved; nothing was written."
    status = 503
    headers_ = {"Retry-After": "1"}  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__("The database did not confirm the change. Retry the request.")


class Busy(AppError):
    type_ = "busy"
    title = "The service is busy; nothing was written."
    status = 503
    headers_ = {"Retry-After": "2"}  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__("Every database connection was in use. Retry the request in a few seconds.")


class ConflictRetry(AppError):
    type_ = "conflict-retry"
    title = "The change met a concurrent one; nothing was written."
    status = 503
    headers_ = {"Retry-After": "1"}  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__(
            "The database broke a deadlock or a serialization conflict with another request by "
            "rolling this one back. Retry the request."
        )


# Deadlock detected, serialization failure, lock not available within `lock_timeout` (a row held
# by a long transaction): the transaction was rolled back whole and the same request will most
# likely succeed if sent again.
RETRYABLE_SQLSTATE = ("40P01", "40001", "55P03")


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error, wrapped by SQLAlchemy or raised by asyncpg itself (the
    import's COPY talks to the driver directly)."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(exc, "sqlstate", None)
    return str(code or "")


class SearchUnavailable(AppError):
    type_ = "search-unavailable"
    title = "Search is temporarily unavailable."
    status = 503
    headers_ = {"Retry-After": "5"}  # noqa: RUF012


class DatabaseUnavailable(AppError):
    type_ = "database-unavailable"
    title = "The database is unreachable for the moment; nothing was written."
    status = 503
    headers_ = {"Retry-After": "2"}  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__("The service could not reach its database. Retry the request in a few seconds.")


# SQLSTATE classes of a database that is away rather than of a statement it refused: connection
# exceptions, operator intervention (shutting down, starting up), insufficient resources.
_UNAVAILABLE_SQLSTATE = ("08", "57", "53")


def _database_problem(_eh: Any, _request: Request, exc: Exception) -> AppError:
    """A database error that reached the top: a clash with stored data is a 409; a deadlock or
    serialization failure a 503 conflict-retry (the request is not re-run here: its body is read
    and its handler may have stored files); a lost, refused
    or timed-out connection, or none free in the pool, a 503 the client may retry; anything else
    stays a logged 500."""
    if isinstance(exc, PoolTimeout):  # no connection free in the pool within its timeout
        return Busy()
    if isinstance(exc, IntegrityError):
        return Conflict("The change conflicts with the stored data and was not saved.")
    if sqlstate(exc) in RETRYABLE_SQLSTATE:
        return ConflictRetry()
    if isinstance(exc, asyncpg.PostgresError):  # raised by the driver itself, not wrapped
        if sqlstate(exc).startswith("23"):  # integrity constraint violation
            return Conflict("The change conflicts with the stored data and was not saved.")
        return DatabaseUnavailable() if sqlstate(exc)[:2] in _UNAVAILABLE_SQLSTATE else InternalError()
    if isinstance(exc, DBAPIError) and not (
        isinstance(exc, (OperationalError, InterfaceError))
        or exc.connection_invalidated
        or sqlstate(exc)[:2] in _UNAVAILABLE_SQLSTATE
    ):
        return InternalError()
    return DatabaseUnavailable()


class InternalError(AppError):
    type_ = "internal-error"
    title = "Something went wrong on our side."
    status = 500

    def __init__(self, _detail: str | None = None, **_: Any) -> None:
        # The exception's text may carry internals: never echo it to the client.
        super().__init__("The error was logged; please try again later.")


def field_error(path: Sequence[str | int], message: str, type_: str = "value_error") -> dict[str, Any]:
    return {"path": json_pointer(path), "message": message, "type": type_}


def json_pointer(path: Sequence[str | int]) -> str:
    """RFC 6901 pointer: `/title/en`, `/countries/0`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path if p != "[key]")


def _validation_problem(_eh: Any, _request: Request, exc: RequestValidationError) -> Unprocessable:
    errors = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = loc[0] if loc else "body"
        errors.append(
            {
                "in": where,
                "path": json_pointer(loc[1:]),
                "message": str(err.get("msg", "invalid")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return Unprocessable(errors)


FIELD_ERROR_SCHEMA = {
    "title": "FieldError",
    "type": "object",
    "required": ["path", "message", "type"],
    "properties": {
        "path": {"type": "string", "description": "JSON pointer to the field.", "examples": ["/countries/1"]},
        "message": {"type": "string", "examples": ["'XX' is not an ISO 3166-1 alpha-2 country code"]},
        "type": {"type": "string", "description": "Kind of error.", "examples": ["value_error"]},
        "in": {"type": "string", "description": "body, query, path or header.", "examples": ["body"]},
        "line": {"type": "integer", "description": "Import file line, for import reports."},
    },
}


# DBAPIError covers SQLAlchemy's wrapping of asyncpg; OSError and TimeoutError what asyncpg raises
# on its own when the server's socket is gone or a connect or command times out.
_DATABASE_ERRORS: tuple[type[Exception], ...] = (
    DBAPIError,
    asyncpg.PostgresError,
    PoolTimeout,
    OSError,
    TimeoutError,
)


class AnswerUnhandled:
    """An error nothing else handled becomes a problem+json 500 here, inside the app: Starlette's
    own catch-all answers and then re-raises to the server, which closes the connection without
    `Connection: close`, so a keep-alive client's next request on it fails."""

    def __init__(self, app: ASGIApp, handler: Any) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started:  # too late to answer: the server ends the connection
                raise
            await self.handler(Request(scope), exc)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    eh = new_exception_handler(
        logger=logger,
        unhandled_wrappers={"default": InternalError, "500": InternalError},
        request_validation_handler=_validation_problem,
        handlers={exc: _database_problem for exc in _DATABASE_ERRORS},
    )
    add_exception_handler(app, eh, generic_swagger_defaults=False)
    # Registered by class, these are answered where the request failed, like any AppError; any
    # other error by AnswerUnhandled, just outside the routes.
    for exc in _DATABASE_ERRORS:
        app.add_exception_handler(exc, eh)
    app.add_middleware(AnswerUnhandled, handler=eh)  # the first added: innermost
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        # Describe the 422 body this API sends (JSON pointers), not FastAPI's default `loc` list.
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["ValidationError"] = FIELD_ERROR_SCHEMA
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
