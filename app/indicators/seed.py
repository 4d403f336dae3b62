"""The seed's figures (`seed/indicators.json`, the center's data as collected: sources and
observations; the indicators themselves are records in `seed/seed.ndjson`), loaded after the records
through the same checks and writer as an import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.indicators.figures import write_figures
from app.indicators.rows import Checked, SourceIn, check
from app.keys.service import Viewer
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
    """Checked line by line as an import's, then written as an import's `figures` are
    (app.indicators.figures.write_figures: one read of the indicators, not one each)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sources = [SourceIn.model_validate(source_fields(s)) for s in data["sources"]]
    checked: dict[str, Checked] = {}
    for i, raw in enumerate(data["observations"]):
        into = checked.setdefault(raw["indicator"], Checked())
        check(observation_fields(raw), i + 1, f"/observations/{i}", into)
    errors = [e for c in checked.values() for e in c.errors]
    if errors:
        raise ValueError(f"the seed's figures do not load: {errors[:5]}")
    values = {key: {"sources": sources, "rows": c.rows} for key, c in checked.items()}
    return await write_figures(session, SYSTEM, spec, values)
