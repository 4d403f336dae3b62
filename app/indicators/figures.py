"""An indicator's figures in the import format (`KindSpec.carried`): a `figures` field on the
indicator's line with the `sources` its values come from and its `observations` (each naming its
source by key). The NDJSON export writes it, so an export moves a base's figures whole; the import
checks it with the line (errors at `/figures/…`) and upserts it once the records are in."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import json_pointer
from app.indicators.coverage import source_out
from app.indicators.rows import Checked, Row, SourceIn, check
from app.indicators.store import figures_changed, upsert_sources, write_rows
from app.keys.service import Viewer
from app.models import IndicatorSource, Observation, Record
from app.records.spec import KindSpec


async def read_figures(session: AsyncSession, ids: list[Any]) -> dict[Any, dict[str, Any]]:
    rows = await session.execute(
        select(Observation, IndicatorSource)
        .join(IndicatorSource, IndicatorSource.id == Observation.source_id)
        .where(Observation.indicator_id.in_(ids))
        .order_by(Observation.indicator_id, Observation.country, Observation.period_start, Observation.id)
    )
    out: dict[Any, dict[str, Any]] = {}
    for obs, source in rows:
        figures = out.setdefault(obs.indicator_id, {"sources": {}, "observations": []})
        figures["sources"][source.key] = {k: v for k, v in source_out(source).items() if v is not None}
        item: dict[str, Any] = {"country": obs.country, "period": obs.period, "value": obs.value}
        if obs.region:
            item["region"] = list(obs.region)
        if obs.disaggregation:
            item["disaggregation"] = dict(obs.disaggregation)
        if obs.note:
            item["note"] = obs.note
        item["source"] = source.key
        figures["observations"].append(item)
    for figures in out.values():
        figures["sources"] = sorted(figures["sources"].values(), key=lambda s: s["key"])
    return out


def check_figures(value: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if not isinstance(value, dict) or set(value) - {"sources", "observations"}:
        return {}, [("", "an object with `sources` and `observations`")]
    sources: list[SourceIn] = []
    for i, raw in enumerate(value.get("sources") or []):
        try:
            sources.append(SourceIn.model_validate(raw))
        except ValidationError as exc:
            problems += [(json_pointer(["sources", i, *e["loc"]]), str(e["msg"])) for e in exc.errors()]
    keys = {s.key for s in sources}
    checked = Checked()
    observations = value.get("observations") or []
    if not isinstance(observations, list):
        return {}, [*problems, ("/observations", "a list")]
    for i, raw in enumerate(observations):
        if not isinstance(raw, dict):
            problems.append((f"/observations/{i}", "an observation object"))
            continue
        found = len(checked.errors)
        check(raw, 0, f"/observations/{i}", checked)
        problems += [(e.path, e.message) for e in checked.errors[found:]]
        if raw.get("source") not in keys:
            problems.append((f"/observations/{i}/source", f"{raw.get('source')!r} is not one of `sources`"))
    return {"sources": sources, "rows": checked.rows}, problems


async def write_figures(session: AsyncSession, viewer: Viewer, spec: KindSpec, values: dict[str, Any]) -> int:
    """Each indicator's checked figures (`check_figures`), by slug, with the sources they name;
    the number of values added or changed."""
    written = 0
    sources = [s for v in values.values() for s in v["sources"]]
    ids = await upsert_sources(session, list({s.key: s for s in sources}.values()))
    found = await session.execute(
        select(Record.slug, Record.id).where(Record.kind == spec.kind, Record.slug.in_(list(values)))
    )
    for slug, record_id in found:
        rows: list[Row] = values[slug]["rows"]
        added, changed, _ = await write_rows(session, record_id, rows, ids, None)
        written += added + changed
        if added or changed:
            await figures_changed(session, spec, viewer, slug, rows)
    return written
