"""All tables, imported here so Alembic and the mappers see every one of them."""

from app.models.auth import ApiKey
from app.models.base import Base
from app.models.history import Change, Revision
from app.models.law import Law
from app.models.organization import Organization
from app.models.policy import Policy
from app.models.program import Participant, Program
from app.models.record import Record, Relation
from app.models.reference import Country, Topic

__all__ = [
    "ApiKey",
    "Base",
    "Change",
    "Country",
    "Law",
    "Organization",
    "Participant",
    "Policy",
    "Program",
    "Record",
    "Relation",
    "Revision",
    "Topic",
]
