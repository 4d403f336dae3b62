"""`GET /v1/feeds/search.atom`: follow a search in a feed reader. The newest public records
matching the search's filters (`q`, `kind`, `country`, `topic`), each entry linking its page;
built with feedgen (Atom 1.0), not by string templates. With `q`, the records are those the
keyword search finds among its best 100 matches (without the ranking by meaning, which adds
related records that do not hold the words), listed newest change first."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from feedgen.feed import FeedGenerator

from app.core.db import SessionDep
from app.core.errors import Busy, SearchUnavailable, Unprocessable
from app.core.i18n import resolve
from app.core.routing import problem_responses
from app.core.services import public_origin, services_of
from app.records.params import CountryQuery, LangDep, TopicQuery
from app.registry import KINDS
from app.search.params import SearchParams, search_params
from app.search.service import SearchService
from app.site.render import query_string
from app.site.repository import SiteRepository
from app.site.texts import kind_name, texts

router = APIRouter(prefix="/feeds", tags=["Search"])
ATOM = "application/atom+xml"
ENTRIES = 50
CANDIDATES = 100  # matches of a query considered for the feed


@router.get(
    "/search.atom",
    name="search_feed",
    summary="Follow a search: an Atom feed of the newest public records matching it",
    description=(
        "The newest public records (by their last change) matching `q`, `kind`, `country` and "
        "`topic`, as the search filters them (the words matched as `/v1/search` matches them, "
        "without its ranking by meaning), at most 50; each entry links the record's page for "
        "people (`/{lang}/{kinds}/{slug}`). Subscribe to it in any feed reader. Every search page "
        "links its feed. Example: `?q=мигранты&country=KG`."
    ),
    response_class=Response,
    responses={
        200: {"content": {ATOM: {"schema": {"type": "string"}}}, "description": "An Atom 1.0 feed."},
        **problem_responses(Unprocessable, Busy, SearchUnavailable),
    },
)
async def search_feed(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    q: Annotated[
        str,
        Query(
            max_length=500,
            description="Words in any of the base's languages or scripts (empty: every record).",
            examples=["мигранты"],
        ),
    ] = "",
    kind: Annotated[list[str] | None, Query(description=", ".join(KINDS) + ".", examples=["law"])] = None,
    country: CountryQuery = None,
    topic: TopicQuery = None,
) -> Response:
    display = "en" if lang == "all" else lang
    params = await search_params(
        q=q, kind=kind, country=country, topic=topic, limit=CANDIDATES, facets=["kind"], scope="all"
    )
    ids = None
    if params.q:
        # Keyword matching only: a feed carries records that hold the words, not their neighbours
        # in meaning that hybrid ranking adds after them (and no query vector is computed).
        # No answer cache either: its answers are the hybrid ones, keyed by the parameters alone.
        keyword = SearchService.of(services_of(request), session, hybrid=False)
        result = await keyword.search(params, display)
        ids = [h.id for h in result.hits]
    rows = await SiteRepository(session).newest(
        kinds=params.kinds, countries=params.countries, topics=params.topics, ids=ids, limit=ENTRIES
    )
    body = atom(request, params, rows, display)
    # The charset said: a browser opening the feed reads its Cyrillic as UTF-8, not Latin-1.
    return Response(body, media_type=f"{ATOM}; charset=utf-8", headers={"Content-Language": display})


# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF):
# a query may hold them (`q=%07`), and lxml refuses a feed that does.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


def atom(request: Request, params: SearchParams, rows: list, lang: str) -> bytes:  # type: ignore[type-arg]
    t = texts(lang)
    base = public_origin(request)
    filters = [("q", params.q)] + [("kind", k) for k in params.kinds]
    filters += [("country", c) for c in params.countries] + [("topic", s) for s in params.topics]
    qs = query_string(filters)
    page = f"{base}/{lang}/search" + (f"?{qs}" if qs else "")
    this = f"{base}/v1/feeds/search.atom?" + query_string([*filters, ("lang", lang)])
    fg = FeedGenerator()
    fg.id(this)
    fg.title(
        xml_text(f"{t['site_name']}: {t['search_title'].format(q=params.q) if params.q else t['search_all']}")
    )
    fg.subtitle(t["tagline"])
    fg.link(href=this, rel="self", type=ATOM)
    fg.link(href=page, rel="alternate", type="text/html")
    fg.language(lang)
    fg.generator("migrantkb")
    newest = max((r.updated_at for r in rows), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    fg.updated(newest)
    for r in reversed(rows):  # feedgen puts each new entry first: add the oldest first
        href = f"{base}/{lang}/{KINDS[r.kind].plural}/{r.slug}"
        title = resolve(r.title, lang, r.original_language)[0] or r.slug
        summary = resolve(r.summary, lang, r.original_language)[0]
        entry = fg.add_entry()
        entry.id(f"urn:uuid:{r.id}")
        entry.title(xml_text(title))
        entry.link(href=href, rel="alternate", type="text/html")
        entry.updated(r.updated_at)
        entry.published(r.created_at)
        entry.category(term=r.kind, label=kind_name(r.kind, lang))
        if summary:
            entry.summary(xml_text(summary))
    body: bytes = fg.atom_str(pretty=True)
    return body
