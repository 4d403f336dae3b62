"""An indicator's chart as a Vega-Lite specification, rendered on the server by vl-convert (no
browser, no network: Vega and the fonts it draws with are in the wheel and on the machine).

One line per country (aggregates named as such); where a country's values come from several
sources, one line per source, each source drawn with its own dash and point shape and named in the
legend. Titled in the asked language (the indicator's name, its unit under it), and the sources
listed under the chart, with `via` where the values were read from a copy or a report."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from functools import lru_cache
from typing import Any

import orjson
import vl_convert

from app.core.i18n import resolve
from app.core.reference import country_names
from app.indicators.periods import midpoint

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
WORDS: dict[str, dict[str, str]] = {
    "sources": {
        "en": "Sources",
        "ru": "Источники",
        "ky": "Булактар",
        "kk": "Дереккөздер",
        "uz": "Manbalar",
        "tg": "Манбаъҳо",
        "tk": "Çeşmeler",
    },
    "country": {
        "en": "Country",
        "ru": "Страна",
        "ky": "Өлкө",
        "kk": "Ел",
        "uz": "Mamlakat",
        "tg": "Кишвар",
        "tk": "Ýurt",
    },
    "source": {
        "en": "Source",
        "ru": "Источник",
        "ky": "Булак",
        "kk": "Дереккөз",
        "uz": "Manba",
        "tg": "Манбаъ",
        "tk": "Çeşme",
    },
    "via": {
        "en": "via",
        "ru": "через",
        "ky": "аркылуу",
        "kk": "арқылы",
        "uz": "orqali",
        "tg": "тавассути",
        "tk": "arkaly",
    },
    "none": {
        "en": "No values for this selection",
        "ru": "Нет значений для этой выборки",
        "ky": "Бул тандоо үчүн маанилер жок",
        "kk": "Бұл таңдау үшін мәндер жоқ",
        "uz": "Bu tanlov uchun qiymatlar yoʻq",
        "tg": "Барои ин интихоб арзиш нест",
        "tk": "Bu saýlaw üçin bahalar ýok",
    },
}
WIDTH, HEIGHT = 640, 320


def _word(name: str, lang: str) -> str:
    return WORDS[name].get(lang) or WORDS[name]["en"]


def source_label(source: dict[str, Any]) -> str:
    """Short, for the legend: publisher and vintage."""
    return " ".join(p for p in (source["publisher"], source.get("vintage") or "") if p)


def source_line(source: dict[str, Any], lang: str) -> str:
    text = f"{source['publisher']}, {source['title']}"
    if source.get("vintage"):
        text += f" ({source['vintage']})"
    if source.get("via"):
        text += f"; {_word('via', lang)}: {source['via']}"
    return text


def _series_label(country: str, names: dict[str, dict[str, str]], lang: str, region: list[str]) -> str:
    if region:  # an aggregate, even where its code is also a country's (CA: Central Asia, not Canada)
        return f"{country} ({', '.join(region)})"
    return names[country][lang] if country in names else country


def chart_spec(
    indicator: dict[str, Any],
    rows: list[dict[str, Any]],
    sources: list[dict[str, Any]],
    lang: str,
) -> dict[str, Any]:
    """The Vega-Lite specification: data inline, so it draws anywhere without another request."""
    name, _ = resolve(indicator.get("name"), lang, indicator.get("original_language"))
    names = country_names((lang,))
    by_key = {s["key"]: s for s in sources}
    per_country: dict[str, Counter[str]] = {}
    per_period: dict[tuple[str, str, str], set[str]] = {}
    for r in rows:
        per_country.setdefault(r["country"], Counter())[r["source"]] += 1
        breakdown = str(sorted(r["disaggregation"].items()))
        per_period.setdefault((r["country"], r["period"], breakdown), set()).add(r["source"])
    # Sources disagree for a country when two give a value for the same period: then each source is
    # its own line, the main one (most values) solid, the others dashed. Otherwise (one source, or
    # releases covering other periods) the country's values make one line.
    disagree = {c for (c, _, _), found in per_period.items() if len(found) > 1}
    main = {c: counts.most_common(1)[0][0] for c, counts in per_country.items()}
    several = len({r["source"] for r in rows}) > 1
    breakdowns = {tuple(sorted(r["disaggregation"].items())) for r in rows}
    yearly = all(len(r["period"]) == 4 for r in rows)
    values = []
    for r in rows:
        start, end = dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"])
        label = _series_label(r["country"], names, lang, r["region"])
        if len(breakdowns) > 1 and r["disaggregation"]:
            label += " — " + ", ".join(f"{k}: {v}" for k, v in sorted(r["disaggregation"].items()))
        values.append(
            {
                # A year sits on its tick; a month, quarter or interval at its middle.
                "date": (start if yearly else midpoint(start, end)).isoformat(),
                "period": r["period"],
                "value": r["value"],
                "country": label,
                "source": source_label(by_key[r["source"]]),
                "main": r["country"] not in disagree or r["source"] == main[r["country"]],
                "line": f"{label} {r['source'] if r['country'] in disagree else ''}",
                "note": r["note"] or "",
            }
        )
    tooltip = [
        {"field": "country", "title": _word("country", lang)},
        {"field": "period"},
        {"field": "value", "title": indicator.get("unit") or "value", "format": ",.4~g"},
        {"field": "source", "title": _word("source", lang)},
        {"field": "note"},
    ]
    x = {
        "field": "date",
        "type": "temporal",
        "title": None,
        "axis": {"format": "%Y" if yearly else "%Y-%m", "labelOverlap": True},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": indicator.get("unit"),
        # Large counts in SI units (1.6M), shares as they are.
        "axis": {"format": ",.2~s" if max((abs(r["value"]) for r in rows), default=0) >= 10_000 else ",.4~g"},
    }
    color = {"field": "country", "type": "nominal", "title": _word("country", lang)}
    line: dict[str, Any] = {
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": x,
            "y": y,
            "color": color,
            "detail": {"field": "line"},
            "strokeDash": {
                "field": "main",
                "type": "nominal",
                "scale": {"domain": [True, False], "range": [[1, 0], [5, 3]]},
                "legend": None,
            },
        },
    }
    points: dict[str, Any] = {
        "mark": {"type": "point", "filled": True, "size": 60 if several else 30},
        "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip},
    }
    if several:
        # Sources disagree: each source its own point shape, named in the legend.
        points["encoding"]["shape"] = {"field": "source", "type": "nominal", "title": _word("source", lang)}
    used = [by_key[k] for k in sorted({r["source"] for r in rows})]
    lines = [f"{_word('sources', lang)}:"]
    for source in used:
        lines += textwrap.wrap(f"• {source_line(source, lang)}", 120, subsequent_indent="\u2003 ")
    if not rows:
        lines = [_word("none", lang)]
    return {
        "$schema": VEGA_LITE,
        "title": {
            "text": name or indicator.get("slug", ""),
            "subtitle": indicator.get("unit") or "",
            "anchor": "start",
        },
        "config": {"font": "DejaVu Sans, Liberation Sans, sans-serif", "legend": {"labelLimit": 320}},
        "vconcat": [
            {
                "width": WIDTH,
                "height": HEIGHT,
                "data": {"values": values},
                "layer": [line, points],
            },
            {
                "width": WIDTH,
                "height": 14 * len(lines),
                "data": {"values": [{"i": i, "text": t} for i, t in enumerate(lines)]},
                "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "limit": 0},
                "encoding": {
                    "text": {"field": "text"},
                    "y": {"field": "i", "type": "ordinal", "axis": None},
                    "x": {"value": 0},
                },
                "view": {"stroke": None},
            },
        ],
    }


def render(spec: dict[str, Any], fmt: str) -> bytes:
    """SVG or PNG (at twice the size, for sharp text); CPU-bound: callers run it in a thread. The
    last charts drawn are kept by their specification (data and language included, so a changed
    value or another language draws anew): a chart embedded in a page is asked for again and again."""
    return _rendered(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS), fmt)


@lru_cache(maxsize=64)
def _rendered(spec: bytes, fmt: str) -> bytes:
    return draw(orjson.loads(spec), fmt)


def draw(spec: dict[str, Any], fmt: str) -> bytes:
    """Render without the cache."""
    if fmt == "svg":
        return str(vl_convert.vegalite_to_svg(spec)).encode()
    return bytes(vl_convert.vegalite_to_png(spec, scale=2))
