"""What a file is, read from its first bytes (never from its name or the client's Content-Type):
PDF, DOCX, ODT, JPEG, PNG and TIFF by their signatures (filetype); HTML and plain text by their
content. Anything else (an executable renamed `.pdf`, a zip, a legacy .doc) is refused."""

from __future__ import annotations

import codecs
import re

import filetype

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
HTML = "text/html"
TEXT = "text/plain"
IMAGES = ("image/jpeg", "image/png", "image/tiff")
ACCEPTED = (PDF, DOCX, ODT, HTML, TEXT, *IMAGES)
EXTENSIONS = {
    PDF: ".pdf",
    DOCX: ".docx",
    ODT: ".odt",
    HTML: ".html",
    TEXT: ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
}
HEAD_BYTES = 8192

_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)
# Control characters that plain text does not hold (tab, line feed, form feed and carriage return do).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(head: bytes) -> str | None:
    """The media type of a file whose first bytes are `head`, or None if it is none we take."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in ACCEPTED else None
    if head.startswith(b"%PDF-"):
        return PDF
    text = _decode(head)
    if text is None:
        return None
    if _HTML_START.match(text.lstrip("\ufeff").encode("utf-8", "replace")):
        return HTML
    return TEXT


def _decode(head: bytes) -> str | None:
    """The head as text (UTF-8, or UTF-16 with its byte-order mark), or None if it is binary. The
    last bytes may be a character cut in half by the head's end."""
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if not text.strip() or _BINARY.search(text):
        return None
    return text


def text_encoding(head: bytes) -> str:
    return "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
