"""The seed's figures (`seed/indicators.json`, the center's data as collected: sources and
observations; the indicators themselves are records in `seed/seed.ndjson`), loaded after the records
through the same checks and writer as an import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.indicators.rows import Checked, SourceIn, check
from app.indicators.store import figures_changed, upsert_sources, write_rows
from app.keys.service import Viewer
from app.models import Record
from app.records.spec import KindSpec

SEED_FIGURES = Path(__file__).resolve().parents[2] / "seed" / "indicators.json"
SYSTEM = Viewer(key_id=None, role="admin")


def source_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """The dataset's source as an import names one (its `id` is the key)."""
    return {("key" if k == "id" else k): v for k, v in raw.items()}


def observation_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """The dataset's observation as the checker reads it (`destination` is a breakdown)."""
    out = {k: raw.get(k) for k in ("country", "region", "period", "value", "note", "source")}
    breakdown = dict(raw.get("disaggregation") or {})
    if raw.get("destination"):
        breakdown["destination"] = raw["destination"]
    out["disaggregation"] = breakdown
    return out


async def load_observations(session: AsyncSession, spec: KindSpec, path: Path = SEED_FIGURES) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    ids = await upsert_sources(session, [SourceIn.model_validate(source_fields(s)) for s in data["sources"]])
    by_indicator: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, raw in enumerate(data["observations"]):
        by_indicator.setdefault(raw["indicator"], []).append((i, raw))
    written = 0
    for key, items in by_indicator.items():
        indicator_id = (
            await session.execute(select(Record.id).where(Record.kind == spec.kind, Record.slug == key))
        ).scalar_one()
        checked = Checked()
        for i, raw in items:
            check(observation_fields(raw), i + 1, f"/observations/{i}", checked)
        if checked.errors:
            raise ValueError(f"the seed's figures do not load: {checked.errors[:5]}")
        added, replaced = await write_rows(session, indicator_id, checked.rows, ids, None)
        written += added + replaced
        if added or replaced:
            await figures_changed(session, spec, SYSTEM, key, checked.rows)
    return written
