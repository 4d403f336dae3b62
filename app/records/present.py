"""Record → response (from the reader's rows, app/records/reads.py) and record → editable body
(from loaded ORM objects, for writes, revisions, import and export). Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core.i18n import display_block
from app.keys.service import Viewer
from app.models import Record, is_public
from app.records.spec import KindSpec


def visible(record: Record | None, viewer: Viewer) -> bool:
    if record is None or record.deleted_at is not None:
        return False
    return viewer.is_editor or is_public(record)


def editable(record: Record, spec: KindSpec) -> dict[str, Any]:
    """The record in the shape of its create body: what PATCH merges into and revisions keep."""
    data: dict[str, Any] = {name: getattr(record, name) for name in spec.column_fields}
    data["slug"] = record.slug
    data[spec.title_field] = dict(record.title)
    data[spec.summary_field] = dict(record.summary or {})
    data["editorial"] = dict(record.editorial) if record.editorial else None
    _edges(data, record, spec, lambda other: other is not None and other.deleted_at is None)
    return data


def public_body(record: Record, spec: KindSpec) -> dict[str, Any]:
    """The editable body as the public may see it: the export and import format."""
    public = Viewer()
    data = editable(record, spec)
    _edges(data, record, spec, lambda other: visible(other, public))
    return {"kind": record.kind, **data}


def _edges(
    data: dict[str, Any], record: Record, spec: KindSpec, keep: Callable[[Record | None], bool]
) -> None:
    """`related`, the kind's links and its participants, from loaded ORM objects; ends that
    `keep` refuses are left out (participants named in text stay)."""
    out = [rel for rel in sorted(record.relations_out, key=lambda r: r.position) if keep(rel.target)]
    data["related"] = [
        {"type": rel.type, "kind": rel.target.kind, "slug": rel.target.slug}
        for rel in out
        if rel.type not in spec.link_relations
    ]
    for link in spec.links:
        data[link.field] = link.value(
            [(r.target.kind, r.target.slug) for r in out if r.type == link.relation]
        )
    if spec.participants:
        data[spec.participants.field] = [
            {"organization": p.organization.slug, "role": p.role}
            if p.organization is not None and keep(p.organization)
            else {"name": p.name, "role": p.role}
            for p in record.participants
            if (p.organization is not None and keep(p.organization)) or p.name
        ]


def present(
    row: Mapping[Any, Any], edges: Mapping[str, list[Any]], spec: KindSpec, lang: str
) -> dict[str, Any]:
    """A record as the API shows it, from the reader's row and the edges the viewer may see
    (app/records/reads.py); `lang` adds the display block ("all": none)."""
    data: dict[str, Any] = {name: row[name] for name in spec.column_fields}
    data["slug"] = row["slug"]
    data[spec.title_field] = row["title"]
    data[spec.summary_field] = row["summary"] or {}
    data["editorial"] = row["editorial"] or None
    out = sorted(edges.get("out", []), key=lambda e: e["position"])
    # Incoming edges have no position of their own: ordered by the other end, so every response
    # (a list entry, the detail, a write's answer) lists them alike.
    incoming = sorted(edges.get("in", []), key=lambda e: (e["kind"], e["slug"], e["type"]))
    member = sorted(edges.get("member", []), key=lambda e: (e["kind"], e["slug"], e["role"]))
    data["related"] = [
        {"type": e["type"], "kind": e["kind"], "slug": e["slug"]}
        for e in out
        if e["type"] not in spec.link_relations
    ]
    for link in spec.links:
        data[link.field] = link.value([(e["kind"], e["slug"]) for e in out if e["type"] == link.relation])
    if spec.participants:
        data[spec.participants.field] = [
            {"organization": e["slug"], "organization_id": e["id"], "name": e["title"], "role": e["role"]}
            if e["id"] is not None
            else {"organization": None, "organization_id": None, "name": e["name"], "role": e["role"]}
            for e in sorted(edges.get("participant", []), key=lambda e: e["position"])
            if e["id"] is not None or e["name"]
        ]
    data.update(
        id=row["id"],
        kind=row["kind"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
    data["relations"] = (
        [_edge(e, "outgoing", e["type"]) for e in out]
        + [_edge(e, "incoming", e["type"]) for e in incoming]
        + [_edge(e, "incoming", "participant", e["role"]) for e in member]
    )
    for name in spec.detail_fields:
        data[name] = None
    if spec.dated:
        data["dates_uncertain"] = None  # set by a list filtered by a day
    data["display"] = (
        None
        if lang == "all"
        else display_block(
            {"title": row["title"], "summary": row["summary"]},
            lang,
            row["original_language"],
            row["translation_kinds"] or {},
        )
    )
    return data


def _edge(other: Mapping[str, Any], direction: str, type_: str, role: str | None = None) -> dict[str, Any]:
    return {
        "type": type_,
        "direction": direction,
        "kind": other["kind"],
        "id": other["id"],
        "slug": other["slug"],
        "title": other["title"],
        "role": role,
    }
