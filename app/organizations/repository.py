from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select

from app.models import Organization, Participant


def organization_filters(
    org_types: list[str], services: list[str], languages: list[str], roles: list[str]
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if org_types:
        conds.append(Organization.org_type.in_(org_types))
    if services:
        conds.append(Organization.services.overlap(services))
    if languages:
        conds.append(Organization.languages.overlap(languages))
    if roles:
        conds.append(
            exists(
                select(Participant.id).where(
                    Participant.organization_id == Organization.id, Participant.role.in_(roles)
                )
            )
        )
    return conds
