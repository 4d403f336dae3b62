"""Pages rendered with Jinja2 (app/site/templates): every page gets the same frame, with its
permalink, `<html lang>`, hreflang alternates for the seven languages, the language switcher, a
description and the API call it wraps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.core.i18n import LANGUAGES
from app.core.services import public_origin
from app.site.texts import language_names, texts

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
_EM = re.compile(r"&lt;(/?)em&gt;")


def highlighted(snippet: str | None) -> Markup:
    """A search snippet, escaped, with its <em> highlights kept (the only markup it carries)."""
    if not snippet:
        return Markup("")
    return Markup(_EM.sub(r"<\1mark>", str(escape(snippet))))


def fmt(template: str, **values: Any) -> str:
    return template.format(**values)


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["highlighted"] = highlighted
_env.globals["fmt"] = fmt


def query_string(pairs: list[tuple[str, str]]) -> str:
    return urlencode([(k, v) for k, v in pairs if v != ""])


def render(
    request: Request,
    template: str,
    lang: str,
    *,
    path: str,
    title: str,
    description: str,
    query: list[tuple[str, str]] | None = None,
    status_code: int = 200,
    api: str | None = None,
    feed: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """`path` is the page's path after `/{lang}` and `query` its canonical parameters: together
    they make the permalink and, in every other language, the alternates and the switcher."""
    qs = query_string(query or [])
    suffix = f"{path}?{qs}" if qs else path
    base = public_origin(request)
    names = language_names()
    alternates = [
        {"lang": other, "name": names[other], "href": f"/{other}{suffix}", "url": f"{base}/{other}{suffix}"}
        for other in LANGUAGES
    ]
    html = _env.get_template(template).render(
        lang=lang,
        t=texts(lang),
        title=title,
        description=description,
        permalink=f"{base}/{lang}{suffix}",
        alternates=alternates,
        api=api,
        feed=feed,
        **context,
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Language": lang, "Vary": "Accept-Language", **(headers or {})},
    )
