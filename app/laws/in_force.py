"""A law's days in force: the list filter `in_force_on`, and the detail's `as_of` reads the same
condition (laws/history.py), so both live here, apart from the kind that lists them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from app.models import Law, Record, Relation, visible
from app.records.filters import InEffect


def _repealed_on() -> ColumnElement[str]:
    """When the first public law in the base that repeals or replaces this one takes effect."""
    source, law = Record.__table__.alias("repealing"), Law.__table__.alias("repealing_law")
    return (
        select(func.min(func.coalesce(law.c.in_force_on, law.c.adopted_on)))
        .select_from(Relation.__table__.join(source, source.c.id == Relation.source_id))
        .join(law, law.c.id == source.c.id)
        .where(Relation.target_id == Record.id, Relation.type.in_(("repeals", "replaces")), visible(source.c))
        .scalar_subquery()
    )


IN_FORCE = InEffect(
    "in_force_on",
    "Laws in force on this day: from entry into force (else adoption) until a law in the base "
    "that repeals or replaces it takes effect; not those that never entered into force. "
    "Partial dates count conservatively: a law is listed when its dates allow the day, and its "
    "`dates_uncertain` is true when they cannot settle it.",
    "2014-01-01",
    start=lambda: func.coalesce(Law.in_force_on, Law.adopted_on),
    end=_repealed_on,
    end_inclusive=False,
    status=lambda: Law.status,
    never=("not_in_force", "draft"),
    ended=("repealed",),
)
