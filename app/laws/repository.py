from __future__ import annotations

from sqlalchemy import ColumnElement

from app.models import Law


def law_filters(instrument_types: list[str], numbers: list[str]) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if instrument_types:
        conds.append(Law.instrument_type.in_(instrument_types))
    if numbers:
        conds.append(Law.number.in_(numbers))
    return conds
