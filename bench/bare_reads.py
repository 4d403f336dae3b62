"""The yardstick for bench/reads.py: bare FastAPI + asyncpg endpoints returning the same public
rows as JSON, with none of the service's work (no ORM, no presentation, no relations, no
middleware). Served by bench/reads.py with uvicorn; DATABASE_URL as the service takes it."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Response
from sqlalchemy.engine import make_url

TABLE = {"laws": "laws", "organizations": "organizations", "policies": "policies", "programs": "programs"}
pool: Any = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global pool
    u = make_url(os.environ["DATABASE_URL"])
    pool = await asyncpg.create_pool(
        user=u.username or "postgres",
        host=u.host,
        port=u.port,
        database=u.database,
        min_size=4,
        max_size=10,
        init=_json_codecs,
    )
    yield
    await pool.close()


async def _json_codecs(conn: Any) -> None:
    """JSON columns as JSON values, as the API sends them (asyncpg's default hands them over as
    strings, which the endpoint would then send as quoted strings: less work, other rows)."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


app = FastAPI(lifespan=lifespan)


def _json(rows: Any) -> Response:
    return Response(json.dumps([dict(r) for r in rows], default=str), media_type="application/json")


@app.get("/{kind}")
async def list_rows(kind: str, limit: int = 20) -> Response:
    rows = await pool.fetch(
        f"SELECT r.*, k.* FROM records r JOIN {TABLE[kind]} k USING (id) "
        "WHERE r.publication = 'published' AND r.deleted_at IS NULL ORDER BY r.slug LIMIT $1",
        limit,
    )
    return _json(rows)


@app.get("/{kind}/{slug}")
async def detail(kind: str, slug: str) -> Response:
    rows = await pool.fetch(
        f"SELECT r.*, k.* FROM records r JOIN {TABLE[kind]} k USING (id) "
        "WHERE r.slug = $1 AND r.publication = 'published' AND r.deleted_at IS NULL",
        slug,
    )
    return _json(rows)
