"""All tables, imported here so Alembic and the mappers see every one of them."""

from app.models.attachment import Attachment, AttachmentPage
from app.models.auth import ApiKey
from app.models.base import Base
from app.models.event import Event
from app.models.history import DOCUMENTS, Change, Revision
from app.models.indicator import Indicator, IndicatorSource, Observation
from app.models.law import Law
from app.models.organization import Organization
from app.models.participant import Participant
from app.models.policy import Policy
from app.models.program import Program
from app.models.publication import Publication
from app.models.record import Record, Relation, is_public, visible
from app.models.reference import Country, Topic
from app.models.vectors import Embedding, VectorBacklog
from app.models.webhook import Webhook, WebhookDelivery

__all__ = [
    "DOCUMENTS",
    "ApiKey",
    "Attachment",
    "AttachmentPage",
    "Base",
    "Change",
    "Country",
    "Embedding",
    "Event",
    "Indicator",
    "IndicatorSource",
    "Law",
    "Observation",
    "Organization",
    "Participant",
    "Policy",
    "Program",
    "Publication",
    "Record",
    "Relation",
    "Revision",
    "Topic",
    "VectorBacklog",
    "Webhook",
    "WebhookDelivery",
    "is_public",
    "visible",
]
