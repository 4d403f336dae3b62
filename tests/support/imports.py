"""Files for the import's tests: lines of each kind, written as NDJSON; a record's edges as
the import wrote them; the export's indicator lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Participant, Record, Relation
from tests.support.factories import BUILDERS


def organizations(prefix: str, n: int) -> list[dict[str, Any]]:
    return [{"kind": "organization", **BUILDERS["organization"](slug=f"{prefix}-{i}")} for i in range(n)]


def write(path: Path, lines: list[dict[str, Any]], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + tail, encoding="utf-8")
    return path


def entry(kind: str, slug: str, **over: Any) -> dict[str, Any]:
    return {"kind": kind, **BUILDERS[kind](slug=slug, **over)}


async def edges_of(session: AsyncSession, slug: str) -> list[tuple[str, str | None, str | None, int]]:
    """A record's outgoing relations and participants: (type or role, target slug, name, position)."""
    source = await session.scalar(select(Record.id).where(Record.slug == slug))
    target = Record.__table__.alias("target")
    relations = await session.execute(
        select(Relation.type, target.c.slug, Relation.position)
        .join(target, target.c.id == Relation.target_id)
        .where(Relation.source_id == source)
    )
    participants = await session.execute(
        select(Participant.role, target.c.slug, Participant.name, Participant.position)
        .outerjoin(target, target.c.id == Participant.organization_id)
        .where(Participant.record_id == source)
    )
    return sorted(
        [(t, s, None, p) for t, s, p in relations.all()]
        + [(r, s, n, p) for r, s, n, p in participants.all()],
        key=lambda e: (e[3], e[0]),
    )


async def export_lines(client: httpx.AsyncClient) -> dict[str, dict]:  # type: ignore[type-arg]
    r = await client.get("/v1/export", params={"kind": "indicator"})
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines() if line]
    return {line["slug"]: line for line in lines}
