"""What the site's tests check on every page: an HTML answer in the reader's language, and the
frame (title, description, permalink, hreflang alternates, the language switcher)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from lxml import html as lxml_html

from app.core.i18n import LANGUAGES


def page(r: httpx.Response, lang: str) -> Any:
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    doc = lxml_html.fromstring(r.text)
    assert doc.get("lang") == lang
    return doc


def frame(doc: Any, lang: str, path: str) -> None:
    """What every page carries: title, description, permalink, hreflang alternates, the switcher."""
    assert doc.findtext(".//title").strip()
    assert doc.xpath("//meta[@name='description']/@content")[0].strip()
    canonical = doc.xpath("//link[@rel='canonical']/@href")[0]
    assert urlsplit(canonical).path == f"/{lang}{path}"
    alternates = dict(
        zip(doc.xpath("//link[@hreflang]/@hreflang"), doc.xpath("//link[@hreflang]/@href"), strict=True)
    )
    assert set(alternates) == set(LANGUAGES)
    assert all(urlsplit(href).path == f"/{other}{path}" for other, href in alternates.items())
    switcher = doc.xpath("//nav[contains(@class, 'langs')]//a/@hreflang")
    assert switcher == list(LANGUAGES)
    assert doc.xpath("//a[@aria-current='true']/@hreflang") == [lang]
