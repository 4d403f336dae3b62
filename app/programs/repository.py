from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select

from app.models import Participant, Program, Record


def program_filters(organizations: list[str], roles: list[str]) -> list[ColumnElement[bool]]:
    """Programs in which one of `organizations` (slugs) takes one of `roles`."""
    if not organizations and not roles:
        return []
    cond = Participant.program_id == Program.id
    sub = select(Participant.id).where(cond)
    if roles:
        sub = sub.where(Participant.role.in_(roles))
    if organizations:
        org_ids = select(Record.id).where(Record.kind == "organization", Record.slug.in_(organizations))
        sub = sub.where(Participant.organization_id.in_(org_ids))
    return [exists(sub)]
