from __future__ import annotations

from sqlalchemy import ColumnElement

from app.models import Policy


def policy_filters(policy_types: list[str]) -> list[ColumnElement[bool]]:
    return [Policy.policy_type.in_(policy_types)] if policy_types else []
