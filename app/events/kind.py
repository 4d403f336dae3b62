"""The event kind: workshops, roundtables, trainings, conferences, negotiations and other steps
of the work around the laws: who organized them, within which program, about which laws."""

from __future__ import annotations

from app.events.labels import LABELS
from app.events.schemas import EventIn, EventOut, EventType, OrganizerRole
from app.models import Event
from app.records.filters import Flag, LinkedTo, OneOf, TakesPart, literal_values
from app.records.spec import KindSpec, Link, Moment, Participants

EVENT = KindSpec(
    kind="event",
    plural="events",
    tag="Events",
    description="Workshops, roundtables, trainings, conferences, negotiations: the center's activities "
    "and the steps of reforms, with organizers, programs and the laws they concerned.",
    model=Event,
    in_schema=EventIn,
    out_schema=EventOut,
    date_column="starts_on",
    sorts=("slug", "updated_at", "created_at", "starts_on", "ends_on"),
    filters=(
        OneOf(
            "event_type",
            "The kind of event; OR within.",
            "roundtable,conference",
            column=Event.event_type,
            choices=literal_values(EventType),
        ),
        TakesPart(
            "organization",
            "Slugs of organizations that organized or took part.",
            "org-tspc-auca",
            roles=literal_values(OrganizerRole),
        ),
        LinkedTo(
            "program",
            "Slugs of the programs they belong to.",
            "prog-tspc-migrant-rights-stage1-2012-2013",
            relation="part_of",
            kind="program",
        ),
        LinkedTo(
            "law",
            "Slugs of laws they concerned.",
            "law-kg-external-migration-2000",
            relation="concerns",
            kind="law",
        ),
        Flag(
            "reform_activity",
            "Only steps of a reform or negotiation (`true`), or only others.",
            "true",
            column=Event.reform_activity,
        ),
    ),
    participants=Participants("organizers", literal_values(OrganizerRole)),
    links=(
        Link("program", "part_of", ("program",), many=False),
        Link("concerns", "concerns", ("law", "policy")),
    ),
    type_field="event_type",
    context_fields=("place", "audience"),
    labels=LABELS,
    timeline=(Moment("starts_on", "held", statuses=("held",)),),
    attachments=True,
)
