"""The record page: read by the same service as `GET /v1/{kinds}/{key}` (as the public sees it:
drafts never), its fields in the reader's language with the fallback and the translation kind
shown, relations and amendments as links, attachments with their download and, when the reader
came from a search, the pages of each file that match."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.i18n import LANGUAGES, resolve, translation_kind
from app.keys.service import Viewer
from app.records.catalog import CATALOG
from app.records.service import RecordService
from app.records.spec import KindSpec
from app.registry import KINDS
from app.search.analysis import highlight
from app.search.query import parse_query
from app.site.repository import SiteRepository
from app.site.texts import country_name, field_name, kind_name, language_names, texts, topic_name, value_name

# Fields every record has, shown in their own places (or not at all: editorial notes, publication).
COMMON = {
    "original_language",
    "countries",
    "topics",
    "source_urls",
    "identifiers",
    "last_verified_on",
    "translation_kinds",
    "publication",
    "editorial",
}
MATCHED_PAGES = 5


def shown_text(
    text: dict[str, str] | None, lang: str, original: str | None, kinds: dict[str, str]
) -> dict[str, Any] | None:
    """A localized text in the reader's language or its fallback, with a mark for a machine or
    unofficial translation."""
    value, shown = resolve(text, lang, original)
    if value is None or shown is None:
        return None
    kind = translation_kind(shown, original, kinds)
    mark = texts(lang).get(f"translation_{kind}") if kind in ("machine", "unofficial") else None
    return {"text": value, "lang": shown, "translation": kind, "mark": mark}


def _localized(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= set(LANGUAGES)


def _plain(value: Any, lang: str) -> str:
    """A field's value as text: lists joined, objects by their values (a localized text in the
    reader's language, or its fallback), enumerated values as words."""
    if _localized(value):
        return resolve(value, lang, None)[0] or ""
    if isinstance(value, dict):
        return ", ".join(_plain(v, lang) for v in value.values() if v not in (None, "", []))
    if isinstance(value, list):
        return "; ".join(_plain(v, lang) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, str) and "_" in value and " " not in value:
        return value_name(value, lang)
    return str(value)


def fields(spec: KindSpec, out: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    original, kinds = out.get("original_language"), out.get("translation_kinds") or {}
    shown: list[dict[str, Any]] = []
    for name in spec.column_fields:
        value = out.get(name)
        if name in COMMON or value in (None, "", [], {}):
            continue
        entry: dict[str, Any] = {"name": field_name(name, lang)}
        if _localized(value):
            entry["localized"] = shown_text(value, lang, original, kinds)
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            entry.update(value=value, href=value)
        elif isinstance(value, str) and name in ("status", spec.type_field):
            entry["value"] = value_name(value, lang)
        elif name == "languages" and isinstance(value, list):
            names = language_names()
            entry["value"] = ", ".join(names.get(v) or str(v) for v in value)
        else:
            entry["value"] = _plain(value, lang)
        shown.append(entry)
    if out.get("countries"):
        shown.append({"name": field_name("countries", lang), "value": countries(out["countries"], lang)})
    for ident in out.get("identifiers") or []:
        shown.append({"name": value_name(ident["scheme"]), "value": ident["value"]})
    if out.get("last_verified_on"):
        shown.append({"name": texts(lang)["last_verified"], "value": out["last_verified_on"]})
    return shown


def countries(codes: list[str], lang: str) -> str:
    return ", ".join(country_name(c, lang) for c in codes)


def page_of(kind: str, slug: str, lang: str) -> str:
    return f"/{lang}/{KINDS[kind].plural}/{slug}"


def relations(spec: KindSpec, out: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    rows = []
    for r in out.get("relations") or []:
        title = r["title"] if isinstance(r["title"], dict) else {"en": r["title"] or r["slug"]}
        text, shown = resolve(title, lang, None)
        arrow = texts(lang)["outgoing" if r["direction"] == "outgoing" else "incoming"]
        label = value_name(r["role"] or r["type"])
        rows.append(
            {
                "type": f"{label} {arrow}" if r["direction"] == "outgoing" else f"{arrow} {label}",
                "href": page_of(r["kind"], r["slug"], lang),
                "title": text or r["slug"],
                "lang": shown,
                "kind_name": kind_name(r["kind"], lang),
            }
        )
    if spec.participants:
        for p in out.get(spec.participants.field) or []:
            if p.get("organization"):
                name = p.get("name")
                text, shown = resolve(name, lang, None) if isinstance(name, dict) else (name, None)
                rows.append(
                    {
                        "type": value_name(p["role"]),
                        "href": page_of(CATALOG.participant_kind, p["organization"], lang),
                        "title": text or p["organization"],
                        "lang": shown,
                        "kind_name": kind_name(CATALOG.participant_kind, lang),
                    }
                )
    return rows


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


async def attachments(
    session: AsyncSession, spec: KindSpec, out: dict[str, Any], q: str
) -> list[dict[str, Any]]:
    """The files of a record the public may see (`out`, as read for the page; attachments follow
    their record's publication) and, for a query, the pages that match."""
    if not spec.attachments:
        return []
    repo, slug = SiteRepository(session), out["slug"]
    rows = await repo.attachments(out["id"], 100)
    matches: dict[Any, list[dict[str, Any]]] = {}
    if q.strip() and rows:
        wanted = parse_query(q).wanted
        # Pages holding a word's stem, a few more than are shown: a stem may match a page whose
        # words are not the query's terms (highlight says).
        for row in await repo.pages([a.id for a in rows], q, MATCHED_PAGES * 2):
            found = matches.setdefault(row.attachment_id, [])
            if len(found) < MATCHED_PAGES:
                snippet, n = highlight(row.text, wanted)
                if n:
                    found.append({"page": row.page, "snippet": snippet})
    return [
        {
            "title": a.title or a.filename,
            "href": f"/v1/{spec.plural}/{slug}/attachments/{a.id}/content",
            "media_type": a.media_type,
            "size": _size(a.size),
            "pages": a.pages,
            "matches": matches.get(a.id, []),
        }
        for a in rows
    ]


def in_force(out: dict[str, Any], lang: str) -> dict[str, Any] | None:
    as_of = out.get("as_of")
    if not as_of:
        return None
    t = texts(lang)
    key = "in_force_today" if as_of["in_force"] else "not_in_force_today"
    amended = as_of.get("amended_by") or []
    return {
        "yes": as_of["in_force"],
        "text": t[key].format(date=as_of["date"]),
        "version": amended[-1] if amended else None,
        "uncertain": as_of.get("dates_uncertain"),
    }


async def read(session: AsyncSession, spec: KindSpec, key: str, lang: str) -> dict[str, Any]:
    """The record as `GET /v1/{kinds}/{key}?lang=` answers the public; a kind that tells whether a
    record is in force on a day (`as_of`) is asked about today."""
    params = {"as_of": dt.date.today().isoformat()} if "as_of" in spec.detail_fields else {}
    return await RecordService(session, spec, Viewer()).read(key, lang, params)


def context(
    spec: KindSpec, out: dict[str, Any], lang: str, topics: dict[str, dict[str, str]], permalink: str
) -> dict[str, Any]:
    t = texts(lang)
    original, kinds = out.get("original_language"), out.get("translation_kinds") or {}
    heading = shown_text(out[spec.title_field], lang, original, kinds) or {
        "text": out["slug"],
        "lang": lang,
        "translation": None,
        "mark": None,
    }
    summary = shown_text(out.get(spec.summary_field), lang, original, kinds)
    names = language_names()
    fallback = None
    if heading["lang"] != lang:
        fallback = t["shown_in"].format(shown=names.get(heading["lang"], heading["lang"]), wanted=names[lang])
    main_date = out.get(spec.date_column) if spec.date_column else None
    amendments = None
    if "amendments" in out and out["amendments"] is not None:
        amendments = []
        for a in out["amendments"]:
            text, shown = resolve(a["title"], lang, None)
            amendments.append(
                {
                    "href": page_of(spec.kind, a["slug"], lang),
                    "title": text or a["slug"],
                    "lang": shown,
                    "date": a.get("in_force_on") or a.get("adopted_on"),
                }
            )
    topic_names = [topic_name(s, topics, lang) for s in out.get("topics") or []]
    cited = [f"“{heading['text']}”", kind_name(spec.kind, lang)]
    cited += [x for x in (countries(out.get("countries") or [], lang), main_date) if x]
    version = f"v{out['version']}, {out['updated_at']:%Y-%m-%d}"
    citation = f"{', '.join(cited)}. {t['site_name']}, {permalink} ({version})."
    return {
        "kind_name": kind_name(spec.kind, lang),
        "heading": heading,
        "summary": summary,
        "fallback": fallback,
        "main_date": main_date,
        "countries": countries(out.get("countries") or [], lang),
        "topics": topic_names,
        "fields": fields(spec, out, lang)
        + ([{"name": field_name("topics", lang), "value": ", ".join(topic_names)}] if topic_names else []),
        "relations": relations(spec, out, lang),
        "amendments": amendments,
        "in_force": in_force(out, lang),
        "sources": out.get("source_urls") or [],
        "citation": citation,
        "updated": f"{out['updated_at']:%Y-%m-%d}",
        "version": out["version"],
    }
