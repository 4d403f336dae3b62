"""Conditional requests: ETags on reads (304 on If-None-Match), If-Match on writes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import Request, Response
from pydantic import BaseModel

from app.core.errors import BadRequest, PreconditionFailed


def record_etag_prefix(version: int, lang: str) -> str:
    """A record's ETag starts with its version (what `If-Match` compares) and display language;
    a digest of the body follows, since the body also shows related records, which change on
    their own."""
    return f"v{version}-{lang}"


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


# Linked data (a record's JSON-LD representation, declared by its kind).
LD_JSON = "application/ld+json"


def dumps(data: Any) -> bytes:
    """JSON as Pydantic writes it (UTC as `Z`), for bodies already in their response shape: record
    pages are built as plain data, and validating them again on the way out cost more than the
    database (tests/test_read.py checks the two agree)."""
    return orjson.dumps(data, default=str, option=orjson.OPT_UTC_Z)  # str: asyncpg's UUIDs


def json_response(
    request: Request,
    model: BaseModel | dict[str, Any],
    *,
    etag_prefix: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The model (or data in its shape) as JSON with an ETag that changes whenever the body does."""
    body = model.model_dump_json().encode() if isinstance(model, BaseModel) else dumps(model)
    digest = hashlib.sha256(body).hexdigest()
    etag = f'"{etag_prefix}-{digest[:16]}"' if etag_prefix else f'"{digest[:32]}"'
    out_headers = {"ETag": etag, "Vary": "Accept-Language, Authorization", **(headers or {})}
    if status_code == 200 and _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=out_headers)
    return Response(body, status_code=status_code, media_type="application/json", headers=out_headers)


def check_if_match(header: str | None, version: int) -> None:
    """Accepts the ETag we sent (`"v3-ru-…"`), `"v3"`, `"3"` or `*`; absent means unconditional."""
    if header is None:
        return
    ok = False
    for raw in header.split(","):
        tag = raw.strip().removeprefix("W/").strip('"')
        if tag == "*":
            return
        number = tag.removeprefix("v").split("-", 1)[0]
        if not (number.isascii() and number.isdigit()):  # "²" is a digit to isdigit, not to int
            raise BadRequest('`If-Match` must be an ETag from this API, like "v3-en", or a version number.')
        ok = ok or number.lstrip("0") == str(version)  # as text: int() refuses 4,300 digits
    if not ok:
        raise PreconditionFailed(
            f"The record is at version {version}; read it again and re-apply your change."
        )
