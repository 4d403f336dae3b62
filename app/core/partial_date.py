"""Partial dates: `2008`, `2008-03` or `2008-03-19` (ISO 8601 reduced precision).

Stored as that text, so precision survives, and ISO strings of one precision sort as dates do.
Comparing a stored value with a bound at the stored value's own precision gives overlap semantics:
a record dated `2008` is within `from=2008-05`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, Field
from sqlalchemy import ColumnElement, func

# ASCII digits only: `\d` and `int` also take other scripts' digits (`２０１９`), which PostgreSQL
# would then compare as text, not as the date they look like.
_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def parse_partial_date(value: str) -> str:
    value = value.strip()
    m = _PATTERN.match(value)
    if not m:
        raise ValueError("use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    if int(year) < 1000:
        raise ValueError("year out of range")
    if month and not 1 <= int(month) <= 12:
        raise ValueError("month must be 01..12")
    if day:
        dt.date(int(year), int(month), int(day))  # raises ValueError for 2023-02-30
    return value


PartialDate = Annotated[
    str,
    AfterValidator(parse_partial_date),
    Field(
        description="ISO 8601 date, possibly reduced: YYYY, YYYY-MM or YYYY-MM-DD.", examples=["2000-07-17"]
    ),
]


def on_or_after(column: ColumnElement[str], bound: str) -> ColumnElement[bool]:
    """The partial date in `column` overlaps [bound, ∞)."""
    return column >= func.substr(bound, 1, func.length(column))


def on_or_before(column: ColumnElement[str], bound: str) -> ColumnElement[bool]:
    """The partial date in `column` overlaps (-∞, bound]."""
    return func.substr(column, 1, len(bound)) <= bound


def ends_before(start: str | None, end: str | None) -> bool:
    """Whether a period certainly ends before it starts: compared at the coarser of the two
    precisions, so `2013-06-03` … `2013-06` is a period of that June, not an error."""
    if not start or not end:
        return False
    n = min(len(start), len(end))
    return end[:n] < start[:n]


def earliest_day(value: str) -> dt.date:
    """The first day a partial date can mean."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


# A day in effect between partial dates. Each bound is compared at its own precision: `2014` is
# some day of 2014. "Possibly" admits the bound's whole period, "certainly" none of it.


def possibly_started(start: ColumnElement[str], day: str) -> ColumnElement[bool]:
    """Some day of `start`'s period is on or before `day`."""
    return func.substr(day, 1, func.length(start)) >= start


def certainly_started(start: ColumnElement[str], day: str) -> ColumnElement[bool]:
    """Every day of `start`'s period is on or before `day`."""
    return ((func.length(start) == 10) & (start <= day)) | (func.substr(day, 1, func.length(start)) > start)


def possibly_before_end(end: ColumnElement[str], day: str, *, inclusive: bool) -> ColumnElement[bool]:
    """`day` may lie before the end (an exclusive end: the day something stops; an inclusive one:
    the last day of a period)."""
    same_or_later = end >= func.substr(day, 1, func.length(end))
    if inclusive:
        return same_or_later
    return ((func.length(end) == 10) & (end > day)) | ((func.length(end) < 10) & same_or_later)


def certainly_before_end(end: ColumnElement[str], day: str, *, inclusive: bool) -> ColumnElement[bool]:
    later = end > func.substr(day, 1, func.length(end))
    if inclusive:
        return later | ((func.length(end) == 10) & (end >= day))
    return later
