"""What differs between record kinds, declared once per kind (each kind's `kind.py`) and read by the
shared code: routes, lists and their filters, writes, reads, import, export, search documents,
facets, the timeline and OpenAPI tags. A new kind is a model, a migration, a package with its
schemas and its `KindSpec`, and a line in app/registry.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from app.models import Record
from app.records.filters import InEffect, ListFilter

SLUG_STABLE = (
    "slugs are stable: a record keeps the slug it was created with (others link to it); "
    "for a new slug, create a new record (and delete this one if it should go)"
)


@dataclass(frozen=True)
class Participants:
    """A body field listing organizations that take part, each `{organization: slug}` or `{name}`
    with a role; stored in the `participants` table, shown on the organization's side too."""

    field: str  # "participants", "organizers", "publishers"
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """A body field naming other records, stored as relations of one type (navigable both ways:
    the other record lists it among its incoming relations).

    One target kind: the field holds a slug (`many=False`) or a list of slugs. Several target
    kinds: a list of `{kind, slug}`."""

    field: str  # "program", "concerns", "events"
    relation: str  # the relation type stored: "part_of", "concerns", "output_of"
    kinds: tuple[str, ...]
    many: bool = True

    def targets(self, value: Any) -> list[tuple[str, str]]:
        """The body value as (kind, slug) pairs, in order."""
        if value is None or value == []:
            return []
        if len(self.kinds) > 1:
            return [(v["kind"], v["slug"]) for v in value]
        values = value if self.many else [value]
        return [(self.kinds[0], v) for v in values]

    def value(self, targets: Sequence[tuple[str, str]]) -> Any:
        """(kind, slug) pairs back as the body value."""
        if len(self.kinds) > 1:
            return [{"kind": k, "slug": s} for k, s in targets]
        if self.many:
            return [s for _, s in targets]
        return targets[0][1] if targets else None


@dataclass(frozen=True)
class Moment:
    """A date on a record that is a step in time: the timeline lists it as `what` happened."""

    column: str  # "adopted_on"
    what: str  # "adopted"
    # Only when the record's status is one of these (an event held, not one planned).
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportSource:
    """What an export format reads: the public records of its kind in the import format (a fresh
    pass each call, so a format may read them once per table), a session maker for what it looks
    up beside them, the settings and the API's base URL."""

    sessionmaker: Any
    records: Callable[[], AsyncIterator[dict[str, Any]]]
    settings: Any
    base_url: str


@dataclass(frozen=True)
class Format:
    """An export format holding one kind (`GET /v1/export?format=<name>&kind=<kind>`), for other
    systems: streamed in constant memory, saved as `filename`."""

    name: str  # "iati"
    media_type: str  # "application/xml"
    filename: str  # "programs-iati.xml"
    description: str  # for the `format` parameter: "iati: programs as IATI 2.03 activity XML"
    lines: Callable[[ExportSource], AsyncIterator[bytes]]
    # The records carry their ids (the format derives stable row ids from them).
    with_ids: bool = False


@dataclass(frozen=True)
class Representation:
    """Another media type of a record's detail, asked for with `Accept`: the record (read in every
    language) rendered given the API's base URL."""

    media_type: str  # "application/ld+json"
    description: str  # the detail route's description
    response: str  # the 200 answer's description
    render: Callable[[dict[str, Any], str], dict[str, Any]]


@dataclass(frozen=True)
class Carried:
    """What a kind keeps in its own tables beside a record (an indicator's sources and observations),
    carried in the import format as one more field of the record's line: the export adds it, the
    import checks it with its line and writes it once the file's records are in (upserted: what a
    line does not carry stays)."""

    field: str  # "figures"
    # Given a session and record ids: the field's value by record id (records without one left out).
    read: Callable[[Any, list[Any]], Awaitable[dict[Any, Any]]]
    # Given a line's value: the value checked, and the problems as (JSON pointer in it, message).
    check: Callable[[Any], tuple[Any, list[tuple[str, str]]]]
    # Given a session, the writer (a Viewer), the spec and the checked values by slug: writes them.
    write: Callable[[Any, Any, KindSpec, dict[str, Any]], Awaitable[object]]


@dataclass(frozen=True)
class KindSpec:
    kind: str  # "law"
    plural: str  # "laws" (the URL segment)
    tag: str  # "Laws" (the OpenAPI tag)
    description: str  # the tag's description
    model: type[Record]
    in_schema: type[BaseModel]
    out_schema: type[BaseModel]
    # Field names of the localized title and summary in the API ("name"/"description" for organizations).
    title_field: str = "title"
    summary_field: str = "summary"
    # The kind's main date, for `from`/`to` filters and the `date` of search hits.
    date_column: str | None = None
    # Public sort names → column attributes; each may be prefixed with "-" in `sort=`.
    sorts: tuple[str, ...] = ("slug", "updated_at", "created_at")
    # The kind's own list filters (beyond the common ones).
    filters: tuple[ListFilter, ...] = ()
    participants: Participants | None = None
    links: tuple[Link, ...] = ()
    # `related` types this kind may be the source of, with their target kinds (`related` itself
    # goes anywhere).
    relates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Of those, the types that order records in time (an amendment, a repeal): the import writes
    # their targets first.
    ordered_relations: tuple[str, ...] = ()
    # The kind that participants name (`{organization: slug}`): exactly one kind declares it.
    participant_target: bool = False
    # CSV import rows without a `kind` column are of this kind (one kind at most declares it).
    csv_default: bool = False
    # Search: the type field (its values are named in every language by `labels`), short codes
    # (numbers, acronyms), other searchable text columns and columns whose values tag the record.
    type_field: str | None = None
    code_fields: tuple[str, ...] = ()
    context_fields: tuple[str, ...] = ()
    tag_fields: tuple[str, ...] = ()
    # Names of the kind (under "kind") and of its fields' values, in every language, for search.
    labels: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    timeline: tuple[Moment, ...] = ()
    # Files may be attached (`/v1/{plural}/{key}/attachments`): the documents themselves.
    attachments: bool = False
    # Other media types of a record's detail (`Accept: application/ld+json`: linked data).
    representations: tuple[Representation, ...] = ()
    # Export formats of this kind beyond NDJSON and CSV (IATI, Popolo, HSDS).
    formats: tuple[Format, ...] = ()
    # What the kind adds to records as read (a detail, a list page, a write's answer), given the
    # session and the query parameters; the parameters a detail takes for it, as OpenAPI declares
    # them; and the fields it fills (null until it does).
    detail: Callable[[Any, list[dict[str, Any]], Mapping[str, str]], Awaitable[None]] | None = None
    detail_parameters: tuple[dict[str, Any], ...] = ()
    detail_fields: tuple[str, ...] = ()
    # The kind's own routes beside the shared ones, as "module:attribute" of an APIRouter (named,
    # not imported: a router imports the shared routing that imports the kinds), included first.
    routes: str | None = None
    # What the kind loads with the seed beyond its records (its own tables), run after the records
    # are in, in the same transaction, given the kind's spec; returns how many rows it wrote.
    seed: Callable[[Any, KindSpec], Awaitable[int]] | None = None
    # Data of the kind's own tables carried in the import format (export, import) beside the record.
    carried: Carried | None = None
    # Values a public record of the kind puts beside the timeline (`/v1/timeline?series=<slug>`):
    # given a session, the spec, the slug, the timeline's countries, from, to and language, the
    # series (None when there is no such public record).
    series: Callable[..., Awaitable[dict[str, Any] | None]] | None = None

    @property
    def a_kind(self) -> str:
        """The kind with its article, for the docs' summaries: "a law", "an organization"."""
        return f"{'an' if self.kind[0] in 'aeiou' else 'a'} {self.kind}"

    @cached_property
    def dated(self) -> bool:
        """Lists filter by a day (`in_force_on`, `active_on`), and records carry `dates_uncertain`."""
        return any(isinstance(f, InEffect) for f in self.filters)

    @cached_property
    def column_fields(self) -> list[str]:
        """Body fields stored in a column of the same name."""
        skip = {"slug", "related", self.title_field, self.summary_field}
        skip |= {link.field for link in self.links}
        if self.participants:
            skip.add(self.participants.field)
        return [name for name in self.in_schema.model_fields if name not in skip]

    @cached_property
    def link_relations(self) -> frozenset[str]:
        return frozenset(link.relation for link in self.links)

    @cached_property
    def statuses(self) -> list[str]:
        return list(getattr(self.in_schema.model_fields["status"].annotation, "__args__", ()))

    def may_relate(self, type_: str, target: str) -> bool:
        return type_ == "related" or target in self.relates.get(type_, ())

    def sort_column(self, name: str) -> Any:
        return getattr(self.model, name)

    def column(self, name: str) -> Any:
        return getattr(self.model, name)
