"""The formats figures are published in, read into observations (`rows.check` then checks each):
World Bank API v2 JSON, World Bank bulk CSV, Open SDG CSV and SDMX-ML / SDMX-JSON (through sdmx1).
Each reader yields (line, path, fields) for the values it finds and counts what it leaves out on
purpose (empty cells, aggregates that are not countries); a problem with the file's layout is a
`LineError` it yields instead.

Lines: a CSV's line in the file (the header included); a JSON document's item or an SDMX
message's observation by position (1-based), with a JSON pointer into it."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import pycountry

from app.core.reference import country_codes
from app.imports.schemas import LineError

Format = Literal["wb-json", "wb-csv", "open-sdg", "sdmx-ml", "sdmx-json"]
FORMATS: dict[str, str] = {
    "wb-json": "World Bank API v2 JSON (`[meta, [values]]`, as api.worldbank.org/v2/…?format=json answers)",
    "wb-csv": "World Bank bulk CSV (four preamble lines, then Country Name, Country Code, Indicator Name, "
    "Indicator Code and a column per year)",
    "open-sdg": "Open SDG CSV (Year, disaggregation columns, Value; GeoCode or the `country` parameter)",
    "sdmx-ml": "SDMX-ML 2.1 data message (generic or structure-specific with its structure)",
    "sdmx-json": "SDMX-JSON data message",
}
Item = tuple[int, str, dict[str, Any]]
YEAR = re.compile(r"^\d{4}$")
# SDMX dimensions that name the series rather than break it down, and codes for "total".
SERIES_DIMENSIONS = {"FREQ", "INDICATOR", "SERIES", "UNIT_MEASURE", "UNIT_MULT", "MEASURE", "TIME_PERIOD"}
TOTALS = {"_T", "_Z", "_X", "_N"}


@dataclass
class Reading:
    skipped: int = 0  # values left out on purpose (empty, or not of a country)
    code: str | None = None  # the series code the file names, where it names one


@lru_cache
def iso3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def country_of(code: str) -> str | None:
    """ISO alpha-2 from an alpha-2 or alpha-3 code; None for aggregates (`WLD`, `ECS`, `1W`)."""
    code = code.strip().upper()
    if len(code) == 2 and code in country_codes():
        return code
    return iso3().get(code)


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def _field(item: dict[str, Any], name: str) -> str | None:
    """`{"indicator": {"id": …}}` → the id, as text; None if it is not there."""
    value = item.get(name)
    found = value.get("id") if isinstance(value, dict) else None
    return str(found) if found is not None else None


def wb_json(data: bytes, reading: Reading) -> Iterator[Item | LineError]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        yield LineError(line=1, path="", message=f"not JSON: {exc}")
        return
    except RecursionError:
        yield LineError(line=1, path="", message="not JSON this reads: nested too deeply")
        return
    if not (isinstance(doc, list) and len(doc) == 2 and isinstance(doc[1], list)):
        message = (
            doc[0].get("message") if isinstance(doc, list) and doc and isinstance(doc[0], dict) else None
        )
        yield LineError(
            line=1,
            path="",
            message=f"not a World Bank API v2 answer `[meta, [values]]`{f': {message}' if message else ''}",
        )
        return
    for i, item in enumerate(doc[1]):
        path = f"/1/{i}"
        if not isinstance(item, dict):
            yield LineError(line=i + 1, path=path, message="a value object")
            continue
        code = _field(item, "indicator")
        if code and reading.code is None:
            reading.code = code
        elif code and code != reading.code:
            yield LineError(
                line=i + 1,
                path=f"{path}/indicator/id",
                message=f"another series ({code}) than the file's first ({reading.code})",
            )
            continue
        if not isinstance(item.get("country"), dict):
            yield LineError(line=i + 1, path=f"{path}/country", message='an object {"id": …, "value": …}')
            continue
        area = _field(item, "country") or item.get("countryiso3code") or ""
        country = country_of(str(area))
        if item.get("value") is None or country is None:
            reading.skipped += 1
            continue
        yield i + 1, path, {"country": country, "period": str(item.get("date") or ""), "value": item["value"]}


def wb_csv(data: bytes, reading: Reading) -> Iterator[Item | LineError]:
    lines = csv.reader(io.StringIO(_text(data)))
    header: list[str] | None = None
    for number, cells in enumerate(lines, start=1):
        if header is None:
            if cells[:4] == ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]:
                header = cells
            elif number >= 5:
                yield LineError(
                    line=number,
                    path="",
                    message="expected the header `Country Name, Country Code, Indicator Name, "
                    "Indicator Code, <years>` after the four preamble lines",
                )
                return
            continue
        if not any(cells):
            continue
        if len(cells) < 4:
            yield LineError(line=number, path="", message="a row needs the country and indicator columns")
            continue
        code = cells[3].strip()
        if reading.code is None:
            reading.code = code
        elif code != reading.code:
            yield LineError(
                line=number,
                path="/Indicator Code",
                message=f"another series ({code}) than the file's first ({reading.code})",
            )
            continue
        country = country_of(cells[1])
        for column, cell in zip(header[4:], cells[4:], strict=False):
            if not YEAR.match(column.strip()):
                continue
            if not cell.strip():
                reading.skipped += 1
                continue
            if country is None:  # a region or income group: no member list to keep it with
                reading.skipped += 1
                continue
            yield number, f"/{column.strip()}", {"country": country, "period": column.strip(), "value": cell}
    if header is None:
        yield LineError(line=1, path="", message="no World Bank header (Country Name, Country Code, …) found")


def open_sdg(data: bytes, reading: Reading, country: str | None) -> Iterator[Item | LineError]:
    rows = csv.DictReader(io.StringIO(_text(data)))
    fields = [f.strip() for f in rows.fieldnames or []]
    missing = [f for f in ("Year", "Value") if f not in fields]
    if missing:
        yield LineError(
            line=1,
            path="",
            message=f"an Open SDG CSV has `Year` and `Value` columns (missing: {', '.join(missing)})",
        )
        return
    if "GeoCode" not in fields and not country:
        yield LineError(line=1, path="", message="no GeoCode column: give the platform's `country`")
        return
    for number, row in enumerate(rows, start=2):
        if None in row:  # more cells than the header names
            yield LineError(line=number, path="", message="more cells than the header has columns")
            continue
        row = {k.strip(): (v or "").strip() for k, v in row.items()}
        if not row.get("Value"):
            reading.skipped += 1
            continue
        area = country
        if row.get("GeoCode"):
            area = country_of(row["GeoCode"]) or row["GeoCode"]
        breakdown = {k: v for k, v in row.items() if k not in ("Year", "Value", "GeoCode") and v}
        yield (
            number,
            "",
            {"country": area, "period": row["Year"], "value": row["Value"], "disaggregation": breakdown},
        )


def sdmx_message(data: bytes, reading: Reading, fmt: str) -> Iterator[Item | LineError]:
    import sdmx  # pandas and lxml: loaded when an SDMX file comes, not with every process

    try:
        message = sdmx.read_sdmx(io.BytesIO(data), format="XML" if fmt == "sdmx-ml" else "JSON")
    except Exception as exc:
        yield LineError(line=1, path="", message=f"not an SDMX data message sdmx1 can read: {str(exc)[:300]}")
        return
    datasets = getattr(message, "data", None)
    if not datasets:
        yield LineError(line=1, path="", message="an SDMX data message with a data set")
        return
    number = 0
    for dataset in datasets:
        for obs in dataset.obs:
            number += 1
            key = {k: str(v.value) for k, v in obs.key.values.items()}
            area = key.get("REF_AREA")
            if area is None:
                yield LineError(
                    line=number, path="/REF_AREA", message="the observation's key has no REF_AREA"
                )
                continue
            if obs.value is None or str(obs.value).strip().lower() in ("", "nan"):
                reading.skipped += 1
                continue
            country = country_of(area)
            if country is None:
                reading.skipped += 1
                continue
            breakdown = {
                k: v for k, v in key.items() if k not in SERIES_DIMENSIONS | {"REF_AREA"} and v not in TOTALS
            }
            yield (
                number,
                "",
                {
                    "country": country,
                    "period": key.get("TIME_PERIOD", ""),
                    "value": obs.value,
                    "disaggregation": breakdown,
                },
            )


def read(fmt: str, data: bytes, reading: Reading, country: str | None = None) -> Iterator[Item | LineError]:
    """The file's values and problems; a file that is not text in UTF-8 or not CSV is one problem."""
    try:
        yield from _read(fmt, data, reading, country)
    except UnicodeDecodeError as exc:
        yield LineError(line=1, path="", message=f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    except csv.Error as exc:
        yield LineError(line=1, path="", message=f"not CSV: {exc}")


def _read(fmt: str, data: bytes, reading: Reading, country: str | None) -> Iterator[Item | LineError]:
    if fmt == "wb-json":
        return wb_json(data, reading)
    if fmt == "wb-csv":
        return wb_csv(data, reading)
    if fmt == "open-sdg":
        return open_sdg(data, reading, country)
    return sdmx_message(data, reading, fmt)
