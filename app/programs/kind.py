"""The program kind: projects and programmes, with donors, implementers and partners."""

from __future__ import annotations

from app.models import Program
from app.programs.iati import IATI
from app.programs.labels import LABELS
from app.programs.schemas import ProgramIn, ProgramOut, Role
from app.records.filters import InEffect, TakesPart, literal_values
from app.records.spec import KindSpec, Moment, Participants

PROGRAM = KindSpec(
    kind="program",
    plural="programs",
    tag="Programs",
    description="Projects and programmes, with donors, implementers and partners.",
    model=Program,
    in_schema=ProgramIn,
    out_schema=ProgramOut,
    date_column="start_on",
    sorts=("slug", "updated_at", "created_at", "start_on", "end_on"),
    filters=(
        TakesPart(
            "organization", "Slugs of organizations taking part.", "org-iom", roles=literal_values(Role)
        ),
        InEffect(
            "active_on",
            "Programs running on this day (start to end); not those only planned. Partial dates count "
            "conservatively: a program is listed when its dates allow the day, and its "
            "`dates_uncertain` is true when they cannot settle it.",
            "2020-06-01",
            start=lambda: Program.start_on,
            end=lambda: Program.end_on,
            status=lambda: Program.status,
            never=("planned",),
            ended=("completed", "suspended"),
        ),
    ),
    participants=Participants("participants", literal_values(Role)),
    relates={"implements": ("law", "policy"), "based_on": ("law", "policy")},
    labels=LABELS,
    timeline=(Moment("start_on", "started"), Moment("end_on", "ended")),
    formats=(IATI,),
)
