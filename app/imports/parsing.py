"""Read import files line by line: NDJSON (any kind) and CSV (organizations)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

import orjson

from app.core.i18n import LANGUAGES
from app.exports.cells import restored
from app.records.catalog import CATALOG

Row = tuple[int, dict[str, Any] | None, str | None]  # (line, object, error)

MAX_LINE_BYTES = 1_000_000
# No record nests deeper than a few levels; far deeper ones would exhaust the recursion of the
# validation and JSON encoding that follow (and the JSON parser's own, from about 1,000 levels).
MAX_DEPTH = 32


def too_deep(obj: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `obj` (parsed JSON) nests lists and objects more than `limit` levels deep; walked
    without recursion."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def iter_ndjson(stream: IO[bytes]) -> Iterator[Row]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield number, None, f"line is longer than {MAX_LINE_BYTES} bytes"
            continue
        try:
            # A fifth of json.loads' time. It reads integers past 64 bits as floats, which no field
            # takes as they are: every number of a record has a bound far below (or is ignored).
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj, problem = _parsed_slowly(raw)  # what json says of the line, as the message
            if problem:
                yield number, None, problem
                continue
        # Fewer brackets than the limit cannot nest deeper than it (bytes.count costs next to nothing).
        if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and too_deep(obj):
            yield number, None, f"nested more than {MAX_DEPTH} levels deep"
            continue
        if not isinstance(obj, dict):
            yield number, None, "each line must be a JSON object"
            continue
        yield number, obj, None


def _parsed_slowly(raw: bytes) -> tuple[Any, str | None]:
    """A line orjson refused, read by the standard library: its message says where the line is
    wrong, and it takes what orjson does not (lone surrogates, integers past 64 bits), as it did."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start + 1})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, f"nested more than {MAX_DEPTH} levels deep"
    except ValueError:  # an integer of more than 4,300 digits
        return None, "a number too long to read"


# CSV: one organization per row. Localized columns are `name_<lang>` / `description_<lang>`; list
# columns (countries, topics, services, languages, source_urls) separate values with `|`.
_LIST_COLUMNS = {"countries", "topics", "services", "languages", "source_urls"}
_JSON_COLUMNS = {"identifiers", "translation_kinds", "editorial", "related"}  # as the CSV export writes them
_SCALAR_COLUMNS = {
    "kind",
    "slug",
    "acronym",
    "org_type",
    "city",
    "address",
    "website",
    "email",
    "phone",
    "founded",
    "status",
    "publication",
    "original_language",
    "last_verified_on",
}


def iter_csv(stream: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        head = text.readline()
    except UnicodeDecodeError:
        yield 1, None, "the header is not valid UTF-8"
        return
    delimiter = ";" if head.count(";") > head.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([head], delimiter=delimiter))]
    known = (
        _LIST_COLUMNS
        | _SCALAR_COLUMNS
        | _JSON_COLUMNS
        | {f"{f}_{lang}" for f in ("name", "description") for lang in LANGUAGES}
    )
    unknown = [h for h in header if h and h not in known]
    if unknown:
        yield 1, None, f"unknown column {unknown[0]!r}"
        return
    if "slug" not in header or not any(h.startswith("name_") for h in header):
        yield 1, None, "the header needs `slug` and at least one `name_<lang>` column"
        return
    reader = csv.reader(text, delimiter=delimiter)
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield number + 1, None, "not valid UTF-8"
            return
        except csv.Error as exc:
            yield reader.line_num + 1, None, f"not valid CSV: {exc}"
            return
        number = reader.line_num + 1  # the header was read before the reader started
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield number, None, f"expected {len(header)} cells, found {len(cells)}"
            continue
        try:
            yield number, _row_to_record(dict(zip(header, cells, strict=True))), None
        except ValueError as exc:
            yield number, None, str(exc)


def _row_to_record(row: dict[str, str]) -> dict[str, Any]:
    obj: dict[str, Any] = {"name": {}, "description": {}}
    for column, value in row.items():
        value = restored(value.strip())  # a `'` our export put before a formula-like cell
        if not value:
            continue
        if column in _JSON_COLUMNS:
            try:
                obj[column] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"column {column!r} must hold JSON: {exc.msg}") from exc
            except RecursionError:
                obj[column] = None
            if obj[column] is None or too_deep(obj[column], MAX_DEPTH - 1):
                raise ValueError(f"column {column!r} is nested more than {MAX_DEPTH} levels deep")
        elif column in _LIST_COLUMNS:
            obj[column] = [v.strip() for v in value.split("|") if v.strip()]
        elif column.startswith(("name_", "description_")):
            field, lang = column.rsplit("_", 1)
            obj[field][lang] = value
        else:
            obj[column] = value
    if not obj["description"]:
        del obj["description"]
    obj.setdefault("kind", CATALOG.csv_kind())
    return obj
