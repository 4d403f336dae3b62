"""Periods of observations: a year (`2022`), a month (`2024-12`), a quarter (`2023-Q1`), a day
(`2024-12-31`, a stock at a date) or an interval of two of those (`2019-01/2019-06`). Each is kept as
written (normalised) with the first and last day it spans, which is what filters and charts read."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(?:M)?(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class BadPeriod(ValueError):
    pass


def _part(text: str) -> tuple[str, dt.date, dt.date]:
    """One period: (normalised text, first day, last day)."""
    text = text.strip()
    try:
        if m := _YEAR.match(text):
            year = int(m[1])
            return m[1], dt.date(year, 1, 1), dt.date(year, 12, 31)
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return f"{m[1]}-{m[2]}", dt.date(year, month, 1), dt.date(year, month, last)
        if m := _QUARTER.match(text):
            year, q = int(m[1]), int(m[2])
            first = dt.date(year, 3 * q - 2, 1)
            last_month = 3 * q
            return (
                f"{m[1]}-Q{q}",
                first,
                dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
            )
        if _DAY.match(text):
            day = dt.date.fromisoformat(text)
            return text, day, day
    except ValueError:
        pass
    raise BadPeriod(
        f"{text!r} is not a period: use a year (2022), a month (2024-12), a quarter (2023-Q1), "
        "a day (2024-12-31) or an interval (2019-01/2019-06)"
    )


def parse_period(text: str) -> tuple[str, dt.date, dt.date]:
    """The period as stored (normalised), its first day and its last day; `BadPeriod` if it is none."""
    if "/" in text:
        a, _, b = text.partition("/")
        start_text, start, _ = _part(a)
        end_text, _, end = _part(b)
        if end < start:
            raise BadPeriod(f"{text!r}: the interval ends before it starts")
        return f"{start_text}/{end_text}", start, end
    return _part(text)


def bound(text: str, *, end: bool) -> dt.date:
    """A `from`/`to` filter's day: the first day of `from`'s period, the last day of `to`'s."""
    _, first, last = parse_period(text)
    return last if end else first


def midpoint(start: dt.date, end: dt.date) -> dt.date:
    """Where a period sits on a time axis."""
    return start + (end - start) / 2
