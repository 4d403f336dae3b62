"""HTTP helpers every router shares: the record key in a path, the `If-Match` header, the problems a
route declares in OpenAPI and a page of items as JSON. (No `from __future__ import annotations`:
FastAPI reads these annotations at runtime.)"""

from typing import Annotated, Any

from fastapi import Header, Path, Request, Response

from app.core.http import json_response

KeyPath = Annotated[
    str,
    Path(
        max_length=120,
        pattern=r"^[A-Za-z0-9-]+$",
        description="The record's id (UUID) or slug.",
        examples=["law-kg-external-migration-2000"],
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        description='The ETag or version you read (`"v3-en"` or `3`): 412 if the record changed since.',
        examples=['"v1-en"'],
    ),
]


def problem_responses(*errors: type[Any]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problems a route answers; kinds that share a status (503:
    `busy`, `search-unavailable`) share its entry, their titles joined."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        title = f"{out[err.status]['description']} Or: {err.title}" if err.status in out else err.title
        out[err.status] = {
            "description": title,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out


def send_page(
    request: Request,
    items: list[dict[str, Any]],
    total: int,
    next_cursor: str | None,
    lang: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    page = {"items": items, "total": total, "next_cursor": next_cursor, **(extra or {})}
    return json_response(request, page, headers={"Content-Language": "mul" if lang == "all" else lang})
