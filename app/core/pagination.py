"""One list contract: `{"items", "total", "next_cursor"}`, capped limits, opaque keyset cursors."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from app.core.errors import BadRequest

T = TypeVar("T")

# The paging parameters every list takes (a list with another cap declares its own `limit`).
LimitQuery = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).", examples=[20])]
CursorQuery = Annotated[
    str | None, Query(max_length=2048, description="`next_cursor` from the previous page.")
]


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(description="This page's items, in the list's stable order.")
    total: int = Field(description="How many items match the filters, over all pages.", examples=[18])
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=["WyJsYXcta2ctZXh0ZXJuYWwtbWlncmF0aW9uLTIwMDAiXQ"],
    )


DAMAGED = "`cursor` is damaged; start again without it."


def encode_cursor(sort: str, values: list[Any]) -> str:
    raw = json.dumps([sort, *values], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, arity: int) -> list[Any]:
    """The key values of the last item of the previous page; 400 for anything we did not issue."""
    try:
        if len(cursor) > 2048:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("`cursor` is not a cursor this API issued; start again without it.") from exc
    if not isinstance(data, list) or len(data) != arity + 1 or data[0] != sort:
        raise BadRequest("`cursor` was issued for another list or sort order; start again without it.")
    # PostgreSQL text holds no U+0000: a cursor is not ours if it does.
    if not all(isinstance(v, str) and "\x00" not in v for v in data[1:]):
        raise BadRequest(DAMAGED)
    return data[1:]


def in_utc_range(value: dt.datetime) -> bool:
    """Whether a time is one PostgreSQL can compare: an aware time within years 1-9999 in UTC
    (`0001-01-01T00:00:00+14:00` is in year 0 there). Naive times are taken as UTC."""
    if value.tzinfo is None:
        return True
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        return False
    return True


def cursor_time(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(DAMAGED) from exc
    if not in_utc_range(parsed):
        raise BadRequest(DAMAGED)
    return parsed


def cursor_int(value: str, *, bits: int = 64) -> int:
    """A key of a cursor that PostgreSQL stores in a signed integer of `bits` bits."""
    try:
        number = int(value) if len(value) <= 20 else None  # int() refuses 4,300 digits with ValueError
    except ValueError as exc:
        raise BadRequest(DAMAGED) from exc
    if number is None or not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        raise BadRequest(DAMAGED)
    return number


def cursor_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise BadRequest(DAMAGED) from exc
