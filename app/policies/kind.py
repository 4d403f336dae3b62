"""The policy kind: strategies, concepts, action plans and roadmaps."""

from __future__ import annotations

from app.models import Policy
from app.policies.labels import LABELS
from app.policies.schemas import PolicyIn, PolicyOut, PolicyType
from app.records.filters import OneOf, literal_values
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
    },
    labels=LABELS,
    timeline=(
        Moment("adopted_on", "adopted"),
        Moment("period_start", "period_started"),
        Moment("period_end", "period_ended"),
    ),
    attachments=True,
)
