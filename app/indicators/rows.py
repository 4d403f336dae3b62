"""One observation as an import or the seed gives it, checked: the problems are reported by line and
field (a JSON pointer), as the record import does."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints

from app.core.i18n import NO_NUL
from app.core.reference import country_codes
from app.imports.schemas import LineError
from app.indicators.periods import BadPeriod, parse_period

AGGREGATE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
DIMENSION = re.compile(r"^[A-Za-z][A-Za-z0-9_ .-]{0,63}$")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=NO_NUL)]


class SourceIn(BaseModel):
    """Where the values were read: named by every import and in the seed."""

    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,119}$")] = Field(
        examples=["src-wdi-2026-04"]
    )
    publisher: Text = Field(examples=["World Bank"])
    title: Text = Field(examples=["World Development Indicators"])
    url: AnyHttpUrl | None = None
    vintage: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = Field(
        None, examples=["2026-04"]
    )
    via: Text | None = Field(None, description="The copy or report the values were read from.")

    @classmethod
    def described(cls, key: str, **fields: str | None) -> SourceIn | None:
        """The source an import describes (publisher, title, …), or None where it only names a
        known one by its key; the CLI and the upload route read the same options."""
        given = {k: v for k, v in fields.items() if v is not None}
        if not (given.get("publisher") or given.get("title")):
            return None
        return cls.model_validate({"key": key, **given})


@dataclass
class Row:
    country: str
    region: list[str]
    period: str
    start: dt.date
    end: dt.date
    value: float
    disaggregation: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    source: str | None = None  # a source key, where a file names several


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    skipped: int = 0


def check(
    raw: dict[str, Any], line: int, path: str, out: Checked, countries: frozenset[str] | None = None
) -> None:
    """Check one observation (`country`, `region`, `period`, `value`, `disaggregation`, `note`,
    `source`) and add it, or its problems, to `out`."""
    errors: list[LineError] = []

    def bad(name: str, message: str) -> None:
        errors.append(LineError(line=line, path=f"{path}/{name}", message=message))

    known = countries or country_codes()
    country = str(raw.get("country") or "").strip().upper()
    region = raw.get("region") or []
    if not isinstance(region, list) or not all(isinstance(c, str) for c in region):
        bad("region", "a list of ISO 3166-1 alpha-2 codes")
        region = []
    region = [c.strip().upper() for c in region]
    if not country:
        bad("country", "missing: an ISO 3166-1 alpha-2 code, or an aggregate with its `region`")
    elif region:
        # An aggregate is known by its members ("CA" with `region` is Central Asia, not Canada).
        if not AGGREGATE.match(country):
            bad("country", f"{country!r}: an aggregate's code is 2 to 8 capital letters or digits")
        for i, member in enumerate(region):
            if member not in known:
                bad(f"region/{i}", f"{member!r} is not an ISO 3166-1 alpha-2 country code")
    elif country not in known:
        bad("country", f"{country!r} is not an ISO 3166-1 alpha-2 country code (an aggregate needs `region`)")
    period = start = end = None
    try:
        period, start, end = parse_period(str(raw.get("period") or ""))
    except BadPeriod as exc:
        bad("period", str(exc))
    value = raw.get("value")
    number: float | None = None
    if isinstance(value, bool):
        value = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        bad("value", f"{value!r} is not a number")
    breakdown = raw.get("disaggregation") or {}
    if not isinstance(breakdown, dict):
        bad("disaggregation", "an object of dimension → value")
        breakdown = {}
    clean: dict[str, str] = {}
    for name, v in breakdown.items():
        if not DIMENSION.match(str(name)) or not str(v).strip() or "\x00" in str(v):
            bad(f"disaggregation/{name}", "a dimension name (letters, digits, _) with a non-empty value")
        else:
            clean[str(name)] = str(v).strip()[:200]
    note = raw.get("note")
    if note is not None and (not isinstance(note, str) or "\x00" in note or len(note) > 2000):
        bad("note", "text of at most 2000 characters")
        note = None
    if errors:
        out.errors.extend(errors)
        return
    assert period and start and end and number is not None
    out.rows.append(Row(country, region, period, start, end, number, clean, note or None, raw.get("source")))
