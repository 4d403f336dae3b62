"""An import's rows in PostgreSQL's binary COPY format, encoded by the pipeline's reader.

The writer task used to hand lists of values to asyncpg's `copy_records_to_table`, which encodes
them (through a Python codec for every JSONB value) as it sends them: on the writer's turn of the
event loop, while PostgreSQL waited for the data, and while PostgreSQL worked the reader was
blocked on a full queue. Sampled every 100 ms through an import of 100,000 records, the backend
was busy 56% of the time and the import process 49%, both under half busy in 31% of the samples.
Each line's rows are bytes now, made by the reader while PostgreSQL writes the batches before
(`Layout.encode`), and the writer only sends a batch's rows (`payload`). Only the column types
the import writes are known (`_encoder` refuses others when a layout is made, not at run time).
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import ARRAY, BigInteger, Boolean, DateTime, Integer, String, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

_INT = struct.Struct(">i").pack
_FIELD_INT4 = struct.Struct(">ii").pack  # length 4, the value
_FIELD_INT8 = struct.Struct(">iq").pack  # length 8, the value
_ARRAY_HEAD = struct.Struct(">iiiiii").pack  # length, dimensions, has nulls, element type, size, lower bound
_COUNT = struct.Struct(">h").pack
NULL = _INT(-1)
HEADER = b"PGCOPY\n\xff\r\n\x00" + _INT(0) + _INT(0)  # signature, flags, no extension
TRAILER = _COUNT(-1)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_VARCHAR, _TEXT = 1043, 25  # element type oids: a binary array must name its column's exactly
_UUID_LENGTH = _INT(16)
_TRUE, _FALSE = _INT(1) + b"\x01", _INT(1) + b"\x00"

Encoder = Callable[[Any], bytes]


def _text(value: str) -> bytes:
    data = value.encode()
    return _INT(len(data)) + data


def _jsonb(value: Any) -> bytes:
    data = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    return _INT(len(data) + 1) + b"\x01" + data  # JSONB's binary form: version 1, then the text


def _uuid(value: uuid.UUID) -> bytes:
    return _UUID_LENGTH + value.bytes


def _int4(value: int) -> bytes:
    return _FIELD_INT4(4, value)


def _int8(value: int) -> bytes:
    return _FIELD_INT8(8, value)


def _bool(value: bool) -> bytes:
    return _TRUE if value else _FALSE


def _timestamptz(value: dt.datetime) -> bytes:
    delta = value - _EPOCH  # an aware datetime: microseconds since 2000-01-01 UTC
    return _FIELD_INT8(8, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def _array(element_type: int) -> Encoder:
    empty = struct.pack(">iiii", 12, 0, 0, element_type)

    def encode(values: list[str | None]) -> bytes:
        if not values:
            return empty
        body = b"".join(NULL if v is None else _text(v) for v in values)
        nulls = int(None in values)
        return _ARRAY_HEAD(20 + len(body), 1, nulls, element_type, len(values), 1) + body

    return encode


def _encoder(type_: Any) -> Encoder:
    """A column type's binary encoding (subclasses before their bases: BigInteger is an Integer,
    Text a String)."""
    if isinstance(type_, JSONB):
        return _jsonb
    if isinstance(type_, ARRAY) and isinstance(type_.item_type, String):
        return _array(_TEXT if isinstance(type_.item_type, Text) else _VARCHAR)
    if isinstance(type_, Uuid):
        return _uuid
    if isinstance(type_, Boolean):
        return _bool
    if isinstance(type_, BigInteger):
        return _int8
    if isinstance(type_, Integer):
        return _int4
    if isinstance(type_, DateTime) and type_.timezone:
        return _timestamptz
    if isinstance(type_, String):
        return _text
    raise TypeError(f"no binary COPY encoding for {type_!r}")


@dataclass(frozen=True)
class Layout:
    """A table's COPY: the columns the rows give (in the table's order) and their encoders."""

    table: str
    names: tuple[str, ...]
    encoders: tuple[Encoder, ...]

    @classmethod
    def of(cls, table: Any, present: Any) -> Layout:
        columns = [c for c in cast(Table, table).columns if c.name in present]
        return cls(
            cast(Table, table).name, tuple(c.name for c in columns), tuple(_encoder(c.type) for c in columns)
        )

    def encode(self, row: dict[str, Any]) -> bytes:
        """One row of a binary COPY; columns absent from `row` are NULL."""
        fields = [_COUNT(len(self.names))]
        for name, encode in zip(self.names, self.encoders, strict=True):
            value = row.get(name)
            fields.append(NULL if value is None else encode(value))
        return b"".join(fields)


def payload(rows: list[bytes]) -> bytes:
    """A whole binary COPY stream of these rows."""
    return b"".join((HEADER, *rows, TRAILER))
