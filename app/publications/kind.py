"""The publication kind: reports, briefings, press releases, research and videos, with who
published them, the events they came out of, their program and the laws they deal with."""

from __future__ import annotations

from app.models import Publication
from app.publications.labels import LABELS
from app.publications.schemas import PublicationIn, PublicationOut, PublisherRole, PubType
from app.records.filters import LinkedTo, OneOf, TakesPart, literal_values
from app.records.spec import KindSpec, Link, Moment, Participants

PUBLICATION = KindSpec(
    kind="publication",
    plural="publications",
    tag="Publications",
    description="Reports, briefings, press releases, research and videos, with their publishers, "
    "the events they came out of and the laws they deal with.",
    model=Publication,
    in_schema=PublicationIn,
    out_schema=PublicationOut,
    date_column="published_on",
    sorts=("slug", "updated_at", "created_at", "published_on"),
    filters=(
        OneOf(
            "pub_type",
            "The kind of publication; OR within.",
            "report,research",
            column=Publication.pub_type,
            choices=literal_values(PubType),
        ),
        OneOf(
            "language",
            "Languages it exists in; OR within.",
            "ky",
            column=Publication.languages,
            lower=True,
            array=True,
        ),
        TakesPart(
            "organization",
            "Slugs of organizations that published, wrote or funded it.",
            "org-tspc-auca",
            roles=literal_values(PublisherRole),
        ),
        LinkedTo(
            "program",
            "Slugs of the programs they belong to.",
            "prog-tspc-migrant-rights-stage2-2013-2014",
            relation="part_of",
            kind="program",
        ),
        LinkedTo(
            "event",
            "Slugs of the events they came out of.",
            "ev-tspc-research-workshop-2012-09-13",
            relation="output_of",
            kind="event",
        ),
        LinkedTo(
            "law",
            "Slugs of laws they deal with.",
            "law-kg-external-migration-2000",
            relation="concerns",
            kind="law",
        ),
    ),
    participants=Participants("publishers", literal_values(PublisherRole)),
    links=(
        Link("events", "output_of", ("event",)),
        Link("program", "part_of", ("program",), many=False),
        Link("concerns", "concerns", ("law", "policy")),
    ),
    type_field="pub_type",
    context_fields=("authors",),
    labels=LABELS,
    timeline=(Moment("published_on", "released"),),
    # Figures it reports (an indicator and its values).
    relates={"reports": ("indicator",)},
    attachments=True,
)
