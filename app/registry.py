"""Every record kind, by name: the one list the shared code (routes, lists, import, export, feed,
search documents, facets, the timeline, OpenAPI tags) reads. A kind is added here and nowhere
else beyond its own model, migration and package."""

from __future__ import annotations

from app.events.kind import EVENT
from app.indicators.kind import INDICATOR
from app.laws.kind import LAW
from app.organizations.kind import ORGANIZATION
from app.policies.kind import POLICY
from app.programs.kind import PROGRAM
from app.publications.kind import PUBLICATION
from app.records.catalog import CATALOG
from app.records.spec import KindSpec

SPECS: tuple[KindSpec, ...] = (LAW, POLICY, PROGRAM, ORGANIZATION, EVENT, PUBLICATION, INDICATOR)
KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in SPECS}
CATALOG.install(SPECS)
