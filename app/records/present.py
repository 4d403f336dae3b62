"""Record → response and record → editable body. Pure functions of loaded objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.i18n import display_block
from app.keys.service import Viewer
from app.models import Organization, Program, Record
from app.records.spec import KindSpec


def visible(record: Record | None, viewer: Viewer) -> bool:
    if record is None or record.deleted_at is not None:
        return False
    return viewer.is_editor or record.publication == "published"


def editable(record: Record, spec: KindSpec) -> dict[str, Any]:
    """The record in the shape of its create body: what PATCH merges into and revisions keep."""
    data: dict[str, Any] = {name: getattr(record, name) for name in spec.column_fields}
    data["slug"] = record.slug
    data[spec.title_field] = dict(record.title)
    data[spec.summary_field] = dict(record.summary or {})
    data["editorial"] = dict(record.editorial) if record.editorial else None
    data["related"] = _related(record, lambda other: other.deleted_at is None)
    if isinstance(record, Program):
        data["participants"] = [
            {"organization": p.organization.slug, "role": p.role}
            if p.organization is not None
            else {"name": p.name, "role": p.role}
            for p in record.participants
        ]
    return data


def public_body(record: Record, spec: KindSpec) -> dict[str, Any]:
    """The editable body as the public may see it: the export and import format."""
    public = Viewer()
    data = editable(record, spec)
    data["related"] = _related(record, lambda other: visible(other, public))
    if isinstance(record, Program):
        data["participants"] = [
            {"organization": p.organization.slug, "role": p.role}
            if visible(p.organization, public) and p.organization is not None
            else {"name": p.name, "role": p.role}
            for p in record.participants
            if visible(p.organization, public) or p.name
        ]
    return {"kind": record.kind, **data}


def present(record: Record, spec: KindSpec, viewer: Viewer, lang: str) -> dict[str, Any]:
    data = editable(record, spec)
    data.update(
        id=record.id,
        kind=record.kind,
        created_at=record.created_at,
        updated_at=record.updated_at,
        version=record.version,
    )
    relations: list[dict[str, Any]] = []
    for rel in sorted(record.relations_out, key=lambda r: r.position):
        if visible(rel.target, viewer):
            relations.append(_edge(rel.type, "outgoing", rel.target))
    # Incoming edges have no position of their own: ordered by the other end, so every response
    # (a list entry, the detail) lists them alike.
    for rel in sorted(record.relations_in, key=lambda r: (r.source.kind, r.source.slug, r.type)):
        if visible(rel.source, viewer):
            relations.append(_edge(rel.type, "incoming", rel.source))
    if isinstance(record, Organization):
        for part in sorted(record.participations, key=lambda p: (p.program.slug, p.role)):
            if visible(part.program, viewer):
                relations.append({**_edge("participant", "incoming", part.program), "role": part.role})
    data["relations"] = relations
    data["related"] = _related(record, lambda other: visible(other, viewer))
    if isinstance(record, Program):
        data["participants"] = []
        for p in record.participants:
            if visible(p.organization, viewer):
                assert p.organization is not None
                data["participants"].append(
                    {
                        "organization": p.organization.slug,
                        "organization_id": p.organization.id,
                        "name": p.organization.title,
                        "role": p.role,
                    }
                )
            elif p.name:
                data["participants"].append(
                    {"organization": None, "organization_id": None, "name": p.name, "role": p.role}
                )
    data["display"] = (
        None
        if lang == "all"
        else display_block(
            {"title": record.title, "summary": record.summary},
            lang,
            record.original_language,
            record.translation_kinds or {},
        )
    )
    return data


def _related(record: Record, keep: Callable[[Record], bool]) -> list[dict[str, str]]:
    return [
        {"type": rel.type, "kind": rel.target.kind, "slug": rel.target.slug}
        for rel in sorted(record.relations_out, key=lambda r: r.position)
        if keep(rel.target)
    ]


def _edge(type_: str, direction: str, other: Record) -> dict[str, Any]:
    return {
        "type": type_,
        "direction": direction,
        "kind": other.kind,
        "id": other.id,
        "slug": other.slug,
        "title": other.title,
    }
