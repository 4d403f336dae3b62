"""The indicator pages: `/{lang}/indicators` lists the public indicators, `/{lang}/indicators/{key}`
shows one as `GET /v1/indicators/{key}` reads it (drafts never), its chart (`chart.svg` in the
reader's language, with the same filters as the table), and its observations as
`…/observations` pages them, each with its source and a mark where the value was read "via" a
secondary copy; a plain GET form filters them by country and period."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams

from app.core.errors import Unprocessable, field_error
from app.indicators.kind import INDICATOR
from app.indicators.observations import aggregates, check_query, page
from app.keys.service import Viewer
from app.records.params import ListParams
from app.records.service import RecordService
from app.site.record import countries, relations, shown_text
from app.site.render import query_string
from app.site.texts import country_name, field_name, language_names, texts, topic_name, value_name

PAGE_SIZE = 200
LIST_SIZE = 100
FILTERS = ("country", "from", "to")


def place(code: str, lang: str, aggregates: set[str] | frozenset[str] = frozenset()) -> str:
    """A country by its name; a regional aggregate (`CA`: Central Asia) by its code, said to be one
    (its code may also be a country's: Canada)."""
    if code in aggregates:
        return f"{code} ({texts(lang)['aggregate']})"
    return country_name(code, lang)


def _span(coverage: dict[str, Any]) -> str:
    ends = list(dict.fromkeys(p for p in (coverage.get("first"), coverage.get("last")) if p))
    return (" … " if any("/" in p for p in ends) else "–").join(ends)


def _value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _filters(query: QueryParams) -> dict[str, str]:
    """The form's values as given (empty ones dropped); one value per name."""
    out: dict[str, str] = {}
    for name in FILTERS:
        values = [v.strip() for v in query.getlist(name) if v.strip()]
        if len(values) > 1:
            raise Unprocessable([field_error([name], f"give `{name}` once", "single")])
        if values:
            out[name] = values[0]
    return out


async def read(session: AsyncSession, key: str, lang: str) -> dict[str, Any]:
    """The indicator as the public sees it, with its sources and coverage (its detail)."""
    return await RecordService(session, INDICATOR, Viewer()).read(key, lang)


def _heading(out: dict[str, Any], lang: str) -> dict[str, Any]:
    original, kinds = out.get("original_language"), out.get("translation_kinds") or {}
    return shown_text(out.get("name"), lang, original, kinds) or {
        "text": out["slug"],
        "lang": lang,
        "translation": None,
        "mark": None,
    }


async def observations(
    session: AsyncSession, out: dict[str, Any], query: QueryParams, lang: str
) -> dict[str, Any]:
    """The table's rows for the form's filters (a 422 names a bad one), a page at a time."""
    chosen = _filters(query)
    cursor = query.get("cursor") or None
    indicator_id = uuid.UUID(str(out["id"]))
    checked = await check_query(
        session, indicator_id, chosen.get("country"), chosen.get("from"), chosen.get("to"), None
    )
    items, total, next_cursor, _ = await page(session, indicator_id, checked, PAGE_SIZE, cursor)
    grouped = (await aggregates(session, [indicator_id])).get(indicator_id, set())
    sources = {s["key"]: s for s in out.get("sources") or []}
    rows = []
    for r in items:
        source = sources.get(r["source"], {"key": r["source"], "publisher": r["source"], "via": None})
        breakdown = ", ".join(
            f"{value_name(k, lang)}: {country_name(v, lang) if len(v) == 2 and v.isupper() else v}"
            for k, v in sorted(r["disaggregation"].items())
        )
        rows.append(
            {
                "country": place(r["country"], lang, grouped),
                "code": r["country"],
                "region": countries(r["region"], lang),
                "period": r["period"],
                "value": _value(r["value"]),
                "breakdown": breakdown,
                "note": r["note"],
                "source": source,
            }
        )
    plural = INDICATOR.plural
    canonical = [(k, v) for k, v in chosen.items()]
    filtered = query_string(canonical)
    chart = f"/v1/{plural}/{out['slug']}/chart"
    chart_query = query_string([*canonical, ("lang", lang)])
    return {
        "rows": rows,
        "total": total,
        "chosen": chosen,
        "canonical": [*canonical, ("cursor", cursor or "")],
        "next": f"/{lang}/{plural}/{out['slug']}?" + query_string([*canonical, ("cursor", next_cursor)])
        if next_cursor
        else None,
        "chart_svg": f"{chart}.svg?{chart_query}",
        "chart_png": f"{chart}.png?{chart_query}",
        "chart_vl": f"{chart}.vl.json?{chart_query}",
        "csv": f"/v1/{plural}/{out['slug']}/observations?" + query_string([*canonical, ("format", "csv")]),
        "observations_json": f"/v1/{plural}/{out['slug']}/observations?"
        + query_string([*canonical, ("lang", lang)]),
        "filtered": bool(filtered),
        "aggregates": grouped,
        "here": f"/{lang}/{plural}/{out['slug']}",
    }


def context(
    out: dict[str, Any], table: dict[str, Any], lang: str, topics: dict[str, dict[str, str]]
) -> dict[str, Any]:
    t = texts(lang)
    original, kinds = out.get("original_language"), out.get("translation_kinds") or {}
    heading = _heading(out, lang)
    definition = shown_text(out.get("definition"), lang, original, kinds)
    names = language_names()
    fallback = None
    if heading["lang"] != lang:
        fallback = t["shown_in"].format(shown=names.get(heading["lang"], heading["lang"]), wanted=names[lang])
    definition_fallback = None
    if definition and definition["lang"] != lang:
        shown = names.get(definition["lang"], definition["lang"])
        definition_fallback = t["shown_in"].format(shown=shown, wanted=names[lang])
    coverage = out.get("coverage") or {}
    grouped = table.pop("aggregates")
    covered = [place(c, lang, grouped) for c in coverage.get("countries") or []]
    span = _span(coverage)
    shown_countries = sorted({r["country"] for r in table["rows"]}) or covered
    alt = t["chart_alt"].format(
        name=heading["text"],
        unit=out.get("unit") or "",
        countries=", ".join(shown_countries) or "—",
        span=" ".join(x for x in (table["chosen"].get("from"), table["chosen"].get("to")) if x)
        or span
        or "—",
    )
    fields = [{"name": t["unit"], "value": out.get("unit") or "—"}]
    if out.get("code"):
        fields.append({"name": t["code"], "value": out["code"]})
    if out.get("status"):
        fields.append({"name": field_name("status", lang), "value": value_name(out["status"], lang)})
    if covered:
        fields.append(
            {"name": t["coverage"], "value": f"{', '.join(covered)}" + (f"; {span}" if span else "")}
        )
    topic_names = [topic_name(s, topics, lang) for s in out.get("topics") or []]
    if topic_names:
        fields.append({"name": field_name("topics", lang), "value": ", ".join(topic_names)})
    country_options = [
        {"value": c, "label": place(c, lang, grouped), "selected": table["chosen"].get("country") == c}
        for c in coverage.get("countries") or []
    ]
    return {
        "heading": heading,
        "definition": definition,
        "definition_fallback": definition_fallback,
        "fallback": fallback,
        "fields": fields,
        "alt": alt,
        "sources": out.get("sources") or [],
        "relations": relations(INDICATOR, out, lang),
        "country_options": country_options,
        "updated": f"{out['updated_at']:%Y-%m-%d}",
        "version": out["version"],
        **table,
    }


async def listing(session: AsyncSession, lang: str) -> list[dict[str, Any]]:
    """Every public indicator (the first hundred, by slug) with its unit and coverage."""
    params = ListParams(
        limit=LIST_SIZE,
        cursor=None,
        countries=[],
        topics=[],
        statuses=[],
        publications=[],
        date_from=None,
        date_to=None,
        updated_since=None,
        q=None,
    )
    items, _, _ = await RecordService(session, INDICATOR, Viewer()).list_page(params, lang, None, {})
    grouped = await aggregates(session, [out["id"] for out in items])
    listed = []
    for out in items:
        coverage = out.get("coverage") or {}
        codes = coverage.get("countries") or []
        named = ", ".join(place(c, lang, grouped.get(out["id"], set())) for c in codes)
        listed.append(
            {
                "href": f"/{lang}/{INDICATOR.plural}/{out['slug']}",
                "heading": _heading(out, lang),
                "unit": out.get("unit") or "",
                "countries": named,
                "span": _span(coverage),
                "n": coverage.get("observations", 0),
            }
        )
    return listed
