"""A law's amendment chain on its detail: the public laws in the base that amend it, in order of
taking effect, and with `as_of=YYYY-MM-DD` which version was in force that day (the original, or
as amended by the amendments in effect by then), read with the same partial-date rules as
`in_force_on` (app/records/filters.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable, field_error
from app.core.partial_date import certainly_started, possibly_started
from app.laws.in_force import IN_FORCE
from app.models import Law, Record, Relation, visible


def _as_of(params: Mapping[str, str]) -> str | None:
    raw = params.get("as_of")
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise Unprocessable([field_error(["as_of"], "use a date: YYYY-MM-DD", "date")]) from None


async def amendments(
    session: AsyncSession, law_ids: list[Any], as_of: str | None
) -> dict[Any, list[dict[str, Any]]]:
    """For each law, the public laws amending it, in the order they took effect."""
    source, law = Record.__table__.alias("amending"), Law.__table__.alias("amending_law")
    effective = func.coalesce(law.c.in_force_on, law.c.adopted_on)
    columns = [
        Relation.target_id,
        source.c.id,
        source.c.slug,
        source.c.title,
        law.c.adopted_on,
        law.c.in_force_on,
    ]
    if as_of is not None:
        columns += [
            and_(effective.is_not(None), certainly_started(effective, as_of)).label("applied"),
            and_(effective.is_not(None), possibly_started(effective, as_of)).label("maybe"),
        ]
    rows = await session.execute(
        select(*columns)
        .select_from(Relation.__table__.join(source, source.c.id == Relation.source_id))
        .join(law, law.c.id == source.c.id)
        .where(Relation.target_id.in_(law_ids), Relation.type == "amends", visible(source.c))
        .order_by(effective.asc().nulls_last(), source.c.slug)
    )
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r.target_id, []).append(dict(r._mapping))
    return out


async def law_detail(session: AsyncSession, outs: list[dict[str, Any]], params: Mapping[str, str]) -> None:
    """Every law's `amendments`; with `as_of` (a detail), the law that day."""
    as_of = _as_of(params)
    chains = await amendments(session, [o["id"] for o in outs], as_of)
    for out in outs:
        out["amendments"] = [
            {
                "id": a["id"],
                "slug": a["slug"],
                "title": a["title"],
                "adopted_on": a["adopted_on"],
                "in_force_on": a["in_force_on"],
                "href": f"/v1/laws/{a['slug']}",
            }
            for a in chains.get(out["id"], [])
        ]
    if as_of is None or len(outs) != 1:
        return
    out, chain = outs[0], chains.get(outs[0]["id"], [])
    values = {IN_FORCE.param: as_of}
    condition, uncertain = IN_FORCE.condition(values), IN_FORCE.uncertain(values)
    assert condition is not None and uncertain is not None
    # `uncertain` is the list's flag, for records the condition may hold on; a day the condition
    # rules out (before a certain entry into force, say) is settled.
    in_force, unsure = (
        await session.execute(
            select(condition, and_(condition, uncertain))
            .select_from(Record.__table__.join(Law.__table__, Law.id == Record.id))
            .where(Record.id == out["id"])
        )
    ).one()
    applied = [a["slug"] for a in chain if a["applied"]]
    out["as_of"] = {
        "date": as_of,
        "in_force": bool(in_force),
        "amended_by": applied,
        "version": f"as amended by {applied[-1]}" if applied else "original",
        # The law's own dates, or an amendment whose date may or may not fall by then.
        "dates_uncertain": bool(unsure)
        or any(a["maybe"] and not a["applied"] for a in chain)
        or any(a["adopted_on"] is None and a["in_force_on"] is None for a in chain),
    }
