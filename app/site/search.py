"""The search page: the parameters of `/v1/search`, read from the page's query string and checked
by the same function (app/search/params.py), answered by the same service, shown as hits with
their snippets, facets as links, pages, and the suggestion when nothing matched."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.core.errors import Unprocessable, field_error
from app.core.services import services_of
from app.registry import KINDS
from app.search.params import SearchParams, search_params
from app.search.schemas import SearchResponse
from app.search.service import SearchService
from app.site.render import query_string
from app.site.texts import country_name, kind_name, texts, topic_name, value_name

# The page's parameters, in the order its links write them (the same names as /v1/search).
PARAMS = ("q", "kind", "country", "topic", "status", "from", "to", "in", "limit", "offset")
FACETS = ("kind", "country", "topic", "year", "status")
PAGE_SIZE = 10


def _int(query: QueryParams, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise Unprocessable([field_error([name], "use a whole number", "int")]) from None


async def parse(query: QueryParams) -> SearchParams:
    """The page's query string as /v1/search reads it; what it refuses, the page refuses (422)."""
    limit, offset = _int(query, "limit", PAGE_SIZE), _int(query, "offset", 0)
    if not 1 <= limit <= 100:
        raise Unprocessable([field_error(["limit"], "between 1 and 100", "range")])
    if not 0 <= offset <= 9900:
        raise Unprocessable([field_error(["offset"], "between 0 and 9900", "range")])
    q = query.get("q", "")
    if len(q) > 500:
        raise Unprocessable([field_error(["q"], "at most 500 characters", "length")])
    scope = query.get("in", "all")
    if scope not in ("all", "documents"):
        raise Unprocessable([field_error(["in"], "`all` or `documents`", "enum")])
    return await search_params(
        q=q,
        kind=query.getlist("kind") or None,
        country=query.getlist("country") or None,
        topic=query.getlist("topic") or None,
        status=query.getlist("status") or None,
        date_from=query.get("from"),
        date_to=query.get("to"),
        limit=limit,
        offset=offset,
        facets=None,
        scope=scope,  # type: ignore[arg-type]
    )


def canonical(params: SearchParams) -> list[tuple[str, str]]:
    """The parameters that make this page, in one order: its permalink and every link built on it."""
    pairs: list[tuple[str, str]] = [("q", params.q)]
    pairs += [("kind", k) for k in params.kinds]
    pairs += [("country", c) for c in params.countries]
    pairs += [("topic", t) for t in params.topics]
    pairs += [("status", s) for s in params.statuses]
    if params.year_from is not None:
        pairs.append(("from", str(params.year_from)))
    if params.year_to is not None:
        pairs.append(("to", str(params.year_to)))
    if params.scope != "all":
        pairs.append(("in", params.scope))
    if params.limit != PAGE_SIZE:
        pairs.append(("limit", str(params.limit)))
    return pairs


def service(request: Request, session: Any) -> SearchService:
    return SearchService.of(services_of(request), session)


def _label(facet: str, value: str, lang: str, topics: dict[str, dict[str, str]]) -> str:
    if facet == "kind":
        return kind_name(value, lang)
    if facet == "country":
        return country_name(value, lang)
    if facet == "topic":
        return topic_name(value, topics, lang)
    if facet == "status":
        return value_name(value, lang)
    return value


def _filter_pairs(params: SearchParams) -> list[tuple[str, str]]:
    """The filters in use as (facet, value), years as the `year` facet."""
    pairs = [("kind", k) for k in params.kinds] + [("country", c) for c in params.countries]
    pairs += [("topic", t) for t in params.topics] + [("status", s) for s in params.statuses]
    if params.year_from is not None and params.year_from == params.year_to:
        pairs.append(("year", str(params.year_from)))
    return pairs


def _with(base: list[tuple[str, str]], facet: str, value: str) -> list[tuple[str, str]]:
    if facet == "year":
        kept = [(k, v) for k, v in base if k not in ("from", "to")]
        return [*kept, ("from", value), ("to", value)]
    return [*base, (facet, value)]


def _without(base: list[tuple[str, str]], facet: str, value: str) -> list[tuple[str, str]]:
    if facet == "year":
        return [(k, v) for k, v in base if k not in ("from", "to")]
    return [(k, v) for k, v in base if (k, v) != (facet, value)]


def context(
    lang: str, params: SearchParams, result: SearchResponse, topics: dict[str, dict[str, str]]
) -> dict[str, Any]:
    t = texts(lang)
    base = canonical(params)
    page_url = f"/{lang}/search?"
    in_use = set(_filter_pairs(params))
    facets = []
    used = {facet for facet, _ in in_use}
    for facet in FACETS:
        # Values of one filter are OR'ed: another value of a filter in use would widen the search,
        # and its count (of records with both) would not be what its link finds; it is not offered.
        if facet in used:
            continue
        counts = result.facets.get(facet) or {}
        values = [
            {
                "value": value,
                "label": _label(facet, value, lang, topics),
                "count": n,
                "href": page_url + query_string(_with(base, facet, value)),
            }
            for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        if facet == "year":
            values.sort(key=lambda v: str(v["value"]), reverse=True)
        if values:
            facets.append({"key": facet, "name": t[facet], "values": values[:30]})
    active = [
        {
            "facet": t[facet],
            "label": _label(facet, value, lang, topics),
            "remove": page_url + query_string(_without(base, facet, value)),
        }
        for facet, value in _filter_pairs(params)
    ]
    hits = []
    for h in result.hits:
        plural = KINDS[h.kind].plural
        href = f"/{lang}/{plural}/{h.slug}"
        document = None
        if h.document is not None:
            download = f"/v1/{plural}/{h.slug}/attachments/{h.document.attachment}/content"
            document = {"page": h.document.page, "snippet": h.document.snippet, "href": download}
            href += "?" + query_string([("q", params.q)])
        hits.append(
            {
                "href": href,
                "title": h.title,
                "title_lang": h.title_lang,
                "snippet": h.snippet,
                "snippet_lang": h.snippet_lang,
                "kind_name": kind_name(h.kind, lang),
                "date": h.date,
                "countries": ", ".join(country_name(c, lang) for c in h.countries),
                "status": value_name(h.status, lang) if h.status else None,
                "document": document,
            }
        )
    paged = [(k, v) for k, v in base]
    prev = next_ = None
    if params.offset > 0:
        prev = page_url + query_string([*paged, ("offset", str(max(params.offset - params.limit, 0)))])
    if params.offset + params.limit < result.total and result.hits:
        next_ = page_url + query_string([*paged, ("offset", str(params.offset + params.limit))])
    return {
        "q": params.q,
        "total": result.total,
        "hits": hits,
        "offset": params.offset,
        "facets": facets,
        "active": active,
        "clear": page_url + query_string([("q", params.q)]),
        "prev": prev,
        "next": next_,
        "page": params.offset // params.limit + 1,
        "degraded": result.degraded,
        "hidden": [(k, v) for k, v in base if k not in ("q",)],
    }


def feed_query(params: SearchParams, lang: str) -> str:
    pairs = [("q", params.q)] + [("kind", k) for k in params.kinds]
    pairs += [("country", c) for c in params.countries] + [("topic", t) for t in params.topics]
    return query_string([*pairs, ("lang", lang)])
