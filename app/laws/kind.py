"""The law kind: acts, codes, decrees and treaties."""

from __future__ import annotations

from app.laws.labels import LABELS
from app.laws.schemas import InstrumentType, LawIn, LawOut
from app.models import Law
from app.records.filters import OneOf, literal_values
from app.records.spec import KindSpec, Moment

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
)
