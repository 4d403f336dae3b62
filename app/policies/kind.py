"""The policy kind: strategies, concepts, action plans and roadmaps."""

from __future__ import annotations

from sqlalchemy import func

from app.models import Policy
from app.policies.labels import LABELS
from app.policies.schemas import PolicyIn, PolicyOut, PolicyType
from app.records.filters import InEffect, OneOf, literal_values
from app.records.spec import KindSpec, Moment

POLICY = KindSpec(
    kind="policy",
    plural="policies",
    tag="Policies",
    description="Strategies, concepts, action plans and roadmaps.",
    model=Policy,
    in_schema=PolicyIn,
    out_schema=PolicyOut,
    date_column="adopted_on",
    sorts=("slug", "updated_at", "created_at", "adopted_on", "period_start", "period_end"),
    filters=(
        OneOf(
            "policy_type",
            "The kind of policy; OR within.",
            "concept",
            column=Policy.policy_type,
            choices=literal_values(PolicyType),
        ),
        InEffect(
            "active_on",
            "Policies in effect on this day: their period (from its start, else adoption, through its "
            "end); not drafts. Partial dates count conservatively: a policy is listed when its dates "
            "allow the day, and its `dates_uncertain` is true when they cannot settle it.",
            "2020-06-01",
            start=lambda: func.coalesce(Policy.period_start, Policy.adopted_on),
            end=lambda: Policy.period_end,
            status=lambda: Policy.status,
            never=("draft",),
            ended=("expired", "superseded"),
        ),
    ),
    type_field="policy_type",
    code_fields=("instrument",),
    context_fields=("issuing_body",),
    relates={
        "amends": ("policy",),
        "repeals": ("policy",),
        "replaces": ("policy",),
        "implements": ("law", "policy"),
        "based_on": ("law", "policy"),
        # A figure the policy sets out to change (remittance costs, registered migrants …).
        "targets": ("indicator",),
    },
    labels=LABELS,
    timeline=(
        Moment("adopted_on", "adopted"),
        Moment("period_start", "period_started"),
        Moment("period_end", "period_ended"),
    ),
    attachments=True,
)
