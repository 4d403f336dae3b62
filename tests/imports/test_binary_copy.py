"""The import's rows in binary COPY form (app/imports/binary_copy.py) read back as the values they
were made from, for every column type it encodes; another type is refused when a layout is made."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from app.imports.binary_copy import Layout, payload

SAMPLE = Table(
    "copy_sample",
    MetaData(),
    Column("id", Uuid),
    Column("code", String(5)),
    Column("body", Text),
    Column("doc", JSONB),
    Column("tags", ARRAY(String(8))),
    Column("urls", ARRAY(Text)),
    Column("n", Integer),
    Column("big", BigInteger),
    Column("flag", Boolean),
    Column("at", DateTime(timezone=True)),
)
DDL = (
    "CREATE TEMP TABLE copy_sample (id uuid, code varchar(5), body text, doc jsonb, tags varchar(8)[],"
    " urls text[], n integer, big bigint, flag boolean, at timestamptz)"
)
ROWS: list[dict[str, Any]] = [
    {
        "id": uuid.UUID("7d1b0bde-8e70-4b5e-9f0a-2b1c3f3a9e10"),
        "code": "KG",
        "body": "Закон «О внешней миграции»\ttab\nline \\ back",
        "doc": {"ru": "Кыргызстан", "n": [1, 2.5, None, True], "nested": {"a": '✓ "ё" \\'}},
        "tags": ["KG", None, "ТЖ"],
        "urls": [],
        "n": -2_147_483_648,
        "big": 9_007_199_254_740_993,
        "flag": False,
        "at": dt.datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=6))),
    },
    {"id": uuid.uuid4(), "code": None, "doc": [], "tags": [], "urls": ["https://a.example/ü"], "flag": True},
]


async def test_rows_copied_in_binary_read_back_as_they_were(connection: AsyncConnection) -> None:
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    await raw.execute(DDL)
    layout = Layout.of(SAMPLE, {c.name for c in SAMPLE.columns})
    rows = [layout.encode(row) for row in ROWS]

    async def data() -> Any:
        yield payload(rows)

    await raw.copy_to_table("copy_sample", source=data(), columns=layout.names, format="binary")
    back = await raw.fetch(
        "SELECT id, code, body, doc::text AS doc, tags, urls, n, big, flag, at FROM copy_sample"
    )
    assert len(back) == 2
    first, second = (dict(r) for r in back)
    assert json.loads(first.pop("doc")) == ROWS[0]["doc"]
    assert first == {k: v for k, v in ROWS[0].items() if k != "doc"}
    assert json.loads(second.pop("doc")) == []
    assert second == {
        **dict.fromkeys(n for n in layout.names if n != "doc"),
        **{k: v for k, v in ROWS[1].items() if k != "doc"},
    }


def test_a_type_without_an_encoding_is_refused_when_the_layout_is_made() -> None:
    table = Table("other", MetaData(), Column("amount", Numeric))
    with pytest.raises(TypeError, match="no binary COPY encoding"):
        Layout.of(table, {"amount"})
