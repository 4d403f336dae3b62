"""Text of a document, page by page: the text layer where there is one, OCR (Tesseract) for pages
without it. Runs in a child process of the worker (`python -m app.attachments.extract`), under a
memory cap and a time limit, so a broken, encrypted or booby-trapped file costs that process, never
the worker: it prints one JSON line per page, then `{"done": …}`, or `{"error": reason}` and exits 3.

    python -m app.attachments.extract FILE MEDIA_TYPE --languages ru,en --max-pages 1000
"""

from __future__ import annotations

import argparse
import html.parser
import io
import re
import signal
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from app.attachments.sniff import DOCX, HTML, IMAGES, ODT, PDF, TEXT, text_encoding

# Tesseract's trained data per language of the base (Debian's tesseract-ocr-* packs). Turkmen has
# no pack: its Latin letters are read with the English data.
TESSERACT = {
    "en": "eng",
    "ru": "rus",
    "ky": "kir",
    "kk": "kaz",
    "uz": "uzb",
    "uz-Latn": "uzb",
    "uz-Cyrl": "uzb_cyrl",
    "tg": "tgk",
    "tk": "eng",
}
DEFAULT_OCR = ("rus", "eng")
# A page with fewer letters than this in its text layer is treated as a scan.
MIN_TEXT_LETTERS = 16
OCR_DPI = 300
# Renders and images larger than this many pixels are refused (a PDF page of 5 x 5 m, a 60,000 px
# wide PNG): a scan of an A3 page at 600 dpi is 70 million.
MAX_PIXELS = 80_000_000
# Zip containers (DOCX, ODT): limits on what is unpacked.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
OCR_SECONDS = 120


class Refused(Exception):
    """The document cannot be read, and why (shown to editors as the extraction's reason)."""


@dataclass
class Page:
    number: int
    text: str
    method: str  # "text" or "ocr"


def clean(text: str) -> str:
    """NFC, no control characters, single spaces within lines, no blank runs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def ocr_languages(languages: Iterable[str]) -> str:
    packs = list(dict.fromkeys(TESSERACT[lang] for lang in languages if lang in TESSERACT))
    return "+".join(packs or DEFAULT_OCR)


def ocr(image: Any, languages: str) -> str:
    """One image read by Tesseract (the command, as Debian installs it)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=OCR_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise Refused("OCR is not installed here (Debian's tesseract-ocr)") from exc
    except subprocess.TimeoutExpired as exc:
        raise Refused(f"OCR of one page took longer than {OCR_SECONDS} s") from exc
    if -done.returncode in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.raise_signal(-done.returncode)  # stopped with us (Ctrl-C): stop the same way, no error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Refused(f"OCR failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def pdf_pages(path: str, languages: str, max_pages: int) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise Refused("the PDF is encrypted (password protected)") from exc
        raise Refused(f"the PDF is broken ({reason})") from exc
    count = len(pdf)
    if count > max_pages:
        raise Refused(f"the PDF has {count} pages; at most {max_pages} are read")
    for i in range(count):
        page = pdf[i]
        text = clean(page.get_textpage().get_text_range())
        if letters(text) >= MIN_TEXT_LETTERS or not _has_image(page):
            yield Page(i + 1, text, "text")
            continue
        width, height = page.get_size()
        scale = OCR_DPI / 72
        if width * height * scale * scale > MAX_PIXELS:
            scale = (MAX_PIXELS / max(width * height, 1)) ** 0.5
        if width * scale < 50 or height * scale < 50:
            yield Page(i + 1, text, "text")
            continue
        image = page.render(scale=scale, grayscale=True).to_pil()
        yield Page(i + 1, clean(ocr(image, languages)), "ocr")


def _has_image(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


def image_pages(path: str, languages: str, max_pages: int) -> Iterator[Page]:
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(path)
        frames = getattr(image, "n_frames", 1)
        if frames > max_pages:
            raise Refused(f"the image has {frames} pages; at most {max_pages} are read")
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            frame.load()
            yield Page(number, clean(ocr(frame.convert("L"), languages)), "ocr")
    except Image.DecompressionBombError as exc:
        raise Refused(f"the image is larger than {MAX_PIXELS:,} pixels") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise Refused(f"the image is broken ({exc})") from exc


def _member(path: str, name: str) -> bytes:
    """One member of a zip container, unpacked only if its size and ratio are sane."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise Refused(f"the file is not a valid zip container ({exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > 10_000:
            raise Refused("the container holds more than 10,000 parts")
        try:
            info = archive.getinfo(name)
        except KeyError as exc:
            raise Refused(f"the container has no {name}") from exc
        if info.file_size > MAX_UNPACKED or info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise Refused(f"{name} unpacks to {info.file_size:,} bytes: refused as a zip bomb")
        with archive.open(info) as member:
            data = member.read(MAX_UNPACKED + 1)
        if len(data) > MAX_UNPACKED:
            raise Refused(f"{name} unpacks to more than {MAX_UNPACKED:,} bytes")
        return data


def _iterparse(data: bytes) -> Iterator[tuple[str, Any]]:
    """(event, element) of an office document's XML; entities, DTDs and broken XML refused."""
    from defusedxml import ElementTree

    try:
        yield from ElementTree.iterparse(io.BytesIO(data), events=("start", "end"))
    except Exception as exc:  # defusedxml's refusals and expat's errors alike
        raise Refused(f"the document's XML is broken or unsafe ({exc.__class__.__name__})") from exc


def _numbered(pages: list[list[str]]) -> Iterator[Page]:
    for number, parts in enumerate(pages, start=1):
        yield Page(number, clean("".join(parts)), "text")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def docx_pages(path: str) -> Iterator[Page]:
    """A DOCX body's runs (`w:t`), split at its explicit page breaks."""
    pages: list[list[str]] = [[]]
    for event, el in _iterparse(_member(path, "word/document.xml")):
        tag = el.tag
        if tag == f"{_W}br" and el.get(f"{_W}type") == "page":
            if event == "start":
                pages.append([])
        elif event == "start":
            continue
        elif tag == f"{_W}t":
            pages[-1].append(el.text or "")
        elif tag == f"{_W}tab":
            pages[-1].append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            pages[-1].append("\n")
        elif tag == f"{_W}p":
            pages[-1].append("\n")
            el.clear()
    yield from _numbered(pages)


_ODT_SPECIAL = {f"{_T}tab": "\t", f"{_T}line-break": "\n", f"{_T}s": " "}
_ODT_PARAGRAPHS = frozenset((f"{_T}p", f"{_T}h"))


def odt_pages(path: str) -> Iterator[Page]:
    """An ODT body's paragraphs and headings, split where the last layout broke pages."""
    pages: list[list[str]] = [[]]
    for event, el in _iterparse(_member(path, "content.xml")):
        if event == "start":
            if el.tag == f"{_T}soft-page-break":
                pages.append([])
        elif el.tag in _ODT_PARAGRAPHS:
            pages[-1].append(_odt_text(el) + "\n")
            el.clear()
    yield from _numbered(pages)


def _odt_text(element: Any) -> str:
    """An ODT paragraph's text: its own, its spans', the tails, and the tabs and spaces it marks
    (nested paragraphs, in frames and notes, are read as their own)."""
    out: list[str] = [element.text or ""]
    for child in element:
        if child.tag in _ODT_PARAGRAPHS:
            pass
        elif child.tag in _ODT_SPECIAL:
            count = child.get(f"{_T}c", "1")
            out.append(_ODT_SPECIAL[child.tag] * min(int(count) if count.isdigit() else 1, 100))
        else:
            out.append(_odt_text(child))
        out.append(child.tail or "")
    return "".join(out)


class _HTMLText(html.parser.HTMLParser):
    BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "section",
            "article",
            "header",
            "footer",
            "table",
            "ul",
            "ol",
            "blockquote",
            "pre",
        ]
    )
    SKIP = frozenset(("script", "style", "template", "noscript", "head"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def read_text(path: str, limit: int = MAX_UNPACKED) -> str:
    with open(path, "rb") as f:
        data = f.read(limit)
    return data.decode(text_encoding(data[:4]), "replace")


def html_pages(path: str) -> Iterator[Page]:
    parser = _HTMLText()
    parser.feed(read_text(path))
    parser.close()
    yield Page(1, clean("".join(parser.parts)), "text")


def text_pages(path: str, max_pages: int) -> Iterator[Page]:
    pages = read_text(path).split("\f")
    if len(pages) > max_pages:
        raise Refused(f"the text has {len(pages)} pages; at most {max_pages} are read")
    for number, text in enumerate(pages, start=1):
        yield Page(number, clean(text), "text")


def pages(path: str, media_type: str, languages: Iterable[str], max_pages: int) -> Iterator[Page]:
    ocr_langs = ocr_languages(languages)
    if media_type == PDF:
        yield from pdf_pages(path, ocr_langs, max_pages)
    elif media_type in IMAGES:
        yield from image_pages(path, ocr_langs, max_pages)
    elif media_type == DOCX:
        yield from _capped(docx_pages(path), max_pages)
    elif media_type == ODT:
        yield from _capped(odt_pages(path), max_pages)
    elif media_type == HTML:
        yield from html_pages(path)
    elif media_type == TEXT:
        yield from text_pages(path, max_pages)
    else:
        raise Refused(f"no extractor for {media_type}")


def _capped(found: Iterable[Page], max_pages: int) -> Iterator[Page]:
    for page in found:
        if page.number > max_pages:
            raise Refused(f"the document has more than {max_pages} pages; at most {max_pages} are read")
        yield page


def _write(out: IO[bytes], item: dict[str, Any]) -> None:
    out.write(orjson.dumps(item) + b"\n")
    out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("media_type")
    parser.add_argument("--languages", default="")
    parser.add_argument("--max-pages", type=int, default=1000)
    args = parser.parse_args(argv)
    out = sys.stdout.buffer
    languages = [lang for lang in args.languages.split(",") if lang]
    count = ocr_count = 0
    try:
        for page in pages(args.file, args.media_type, languages, args.max_pages):
            count += 1
            ocr_count += page.method == "ocr"
            _write(out, {"page": page.number, "text": page.text, "method": page.method})
    except Refused as exc:
        _write(out, {"error": str(exc)})
        return 3
    except MemoryError:
        _write(out, {"error": "the document needs more memory than extraction may use"})
        return 3
    _write(out, {"done": {"pages": count, "ocr_pages": ocr_count}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
