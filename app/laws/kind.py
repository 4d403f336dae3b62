"""The law kind: acts, codes, decrees and treaties."""

from __future__ import annotations

from app.core.http import LD_JSON
from app.laws.history import law_detail
from app.laws.in_force import IN_FORCE
from app.laws.jsonld import legislation
from app.laws.labels import LABELS
from app.laws.schemas import InstrumentType, LawIn, LawOut
from app.models import Law
from app.records.filters import OneOf, literal_values
from app.records.spec import KindSpec, Moment, Representation

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
        IN_FORCE,
    ),
    type_field="instrument_type",
    code_fields=("number",),
    context_fields=("issuing_body", "official_publication"),
    relates={
        "amends": ("law",),
        "repeals": ("law",),
        "implements": ("law", "policy"),
        "based_on": ("law", "policy"),
        "replaces": ("law",),
    },
    # Edges that order instruments in time: a cycle of them is a data error.
    ordered_relations=("amends", "repeals", "replaces"),
    labels=LABELS,
    timeline=(Moment("adopted_on", "adopted"), Moment("in_force_on", "entered_into_force")),
    attachments=True,
    representations=(
        Representation(
            LD_JSON,
            "With `Accept: application/ld+json`: schema.org `Legislation` in JSON-LD (an inline context, "
            "so it expands offline).",
            "The record; with `Accept: application/ld+json`, as JSON-LD.",
            legislation,
        ),
    ),
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
