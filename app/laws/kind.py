"""The law kind: acts, codes, decrees and treaties."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from app.laws.history import law_detail
from app.laws.jsonld import legislation
from app.laws.labels import LABELS
from app.laws.schemas import InstrumentType, LawIn, LawOut
from app.models import Law, Record, Relation, visible
from app.records.filters import InEffect, OneOf, literal_values
from app.records.spec import KindSpec, Moment


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


LAW = KindSpec(
    kind="law",
    plural="laws",
    tag="Laws",
    description="Constitutions, codes, laws, decrees, treaties and conventions.",
    model=Law,
    in_schema=LawIn,
    out_schema=LawOut,
    date_column="adopted_on",
    sorts=("slug", "updated_at", "created_at", "adopted_on", "in_force_on"),
    filters=(
        OneOf(
            "instrument_type",
            "The kind of instrument; OR within.",
            "law,code",
            column=Law.instrument_type,
            choices=literal_values(InstrumentType),
        ),
        OneOf("number", "Official number(s).", "61", column=Law.number),
        InEffect(
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
        ),
    ),
    type_field="instrument_type",
    code_fields=("number",),
    context_fields=("issuing_body", "official_publication"),
    relates={
        "amends": ("law",),
        "repeals": ("law",),
        "replaces": ("law",),
        "implements": ("law", "policy"),
        "based_on": ("law", "policy"),
    },
    labels=LABELS,
    timeline=(Moment("adopted_on", "adopted"), Moment("in_force_on", "entered_into_force")),
    attachments=True,
    jsonld=legislation,
    detail=law_detail,
    detail_fields=("amendments", "as_of"),
    detail_parameters=(
        {
            "name": "as_of",
            "in": "query",
            "required": False,
            "description": (
                "A day (YYYY-MM-DD): `as_of` in the answer says whether the law was in force then and "
                "which version (the original, or as amended by the amendments in effect by then)."
            ),
            "schema": {"type": "string", "format": "date"},
            "example": "2014-01-01",
        },
    ),
)
