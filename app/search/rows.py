"""The columns a search document (and an embedding's passage) needs, in one joined query: no ORM
objects, since this runs for every record on a full reindex."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.models import Law, Organization, Policy, Program, Record

_LAW, _POLICY, _PROGRAM, _ORG = (
    Law.__table__.c,
    Policy.__table__.c,
    Program.__table__.c,
    Organization.__table__.c,
)


def rows_query() -> Any:
    r = Record.__table__.c
    return select(
        r.id,
        r.kind,
        r.slug,
        r.version,
        r.original_language,
        r.title,
        r.summary,
        r.countries,
        r.topics,
        r.status,
        r.identifiers,
        r.publication,
        r.deleted_at,
        _LAW.number,
        _LAW.official_publication,
        _LAW.instrument_type,
        _POLICY.policy_type,
        _ORG.org_type,
        _ORG.acronym,
        _ORG.city,
        _ORG.services,
        _POLICY.instrument,
        func.coalesce(_LAW.issuing_body, _POLICY.issuing_body).label("issuing_body"),
        func.coalesce(_LAW.adopted_on, _POLICY.adopted_on).label("adopted_on"),
        _PROGRAM.start_on,
        _ORG.founded,
    ).select_from(
        Record.__table__.outerjoin(Law.__table__, _LAW.id == r.id)
        .outerjoin(Policy.__table__, _POLICY.id == r.id)
        .outerjoin(Program.__table__, _PROGRAM.id == r.id)
        .outerjoin(Organization.__table__, _ORG.id == r.id)
    )
