"""Every route × {no key, wrong key, revoked key, editor, admin}. Routes are read from the app, so a
new one is covered (and must declare who may call it) without editing this test."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.keys.dependencies import require_admin, require_editor
from app.keys.service import KeyService
from app.main import create_app
from tests.support.factories import BUILDERS, PLURAL, create

KIND_OF = {plural: kind for kind, plural in PLURAL.items()}


def _needs(route: APIRoute) -> str:
    calls = set()
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        calls.add(dep.call)
        stack.extend(dep.dependencies)
    if require_admin in calls:
        return "admin"
    if require_editor in calls:
        return "editor"
    return "public"


def _api_routes(routes: list[Any]) -> dict[str, APIRoute]:
    """Route objects by name, through included routers (FastAPI keeps those nested)."""
    found: dict[str, APIRoute] = {}
    for route in routes:
        if isinstance(route, APIRoute):
            found[route.name] = route
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and inner is not route:
            found.update(_api_routes(list(inner.routes)))
    return found


def _routes() -> list[tuple[str, str, str]]:
    """(method, path, who may call it) for every operation the API documents."""
    app = create_app()
    by_name = _api_routes(list(app.routes))
    out = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            out.append((method.upper(), path, _needs(by_name[operation["operationId"]])))
    return out


def test_every_write_needs_a_key() -> None:
    routes = _routes()
    assert len(routes) >= 40
    for method, path, needs in routes:
        if method != "GET" or path.endswith("/revisions"):
            assert needs != "public", f"{method} {path} is open to anyone"


@pytest.fixture
async def keys(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"none": {}, "wrong": {"Authorization": "Bearer mkb_000000000000_nope"}}
    async with sessionmaker() as s:
        service = KeyService(s)
        for role in ("editor", "admin"):
            _, token = await service.create(f"matrix {role}", role)  # type: ignore[arg-type]
            out[role] = {"Authorization": f"Bearer {token}"}
        revoked, token = await service.create("matrix revoked", "admin")
        await service.revoke(revoked.id)
        out["revoked"] = {"Authorization": f"Bearer {token}"}
        await s.commit()
    return out


def _request(method: str, path: str, slugs: dict[str, str], counter: list[int]) -> tuple[str, dict[str, Any]]:
    plural = path.split("/")[2] if path.startswith("/v1/") else ""
    kind = KIND_OF.get(plural)
    url = re.sub(r"\{key\}", slugs.get(kind or "", "x"), path)
    kwargs: dict[str, Any] = {}
    counter[0] += 1
    if method in ("POST", "PUT") and kind and not path.endswith("/restore"):
        slug = slugs[kind] if method == "PUT" else f"{plural[:3]}-matrix-{counter[0]}"
        kwargs["json"] = BUILDERS[kind](slug=slug)
    elif method == "PATCH":
        kwargs["json"] = {}
    elif path == "/v1/topics" and method == "POST":
        kwargs["json"] = {"slug": f"matrix-topic-{counter[0]}", "labels": {"en": "Matrix"}}
    elif path == "/v1/import":
        kwargs["content"] = b""
        kwargs["headers"] = {"Content-Type": "application/x-ndjson"}
    if path == "/v1/search/suggest":
        url += "?q=mig"
    return url, kwargs


async def test_route_role_matrix(client: httpx.AsyncClient, keys: dict[str, dict[str, str]]) -> None:
    slugs = {kind: (await create(client, keys["editor"], kind))["slug"] for kind in PLURAL}
    counter = [0]
    table = []
    for method, path, needs in _routes():
        row = []
        for who in ("none", "wrong", "revoked", "editor", "admin"):
            url, kwargs = _request(method, path, slugs, counter)
            headers = {**kwargs.pop("headers", {}), **keys[who]}
            r = await client.request(method, url, headers=headers, **kwargs)
            row.append(r.status_code)
            assert r.status_code < 500, (method, path, who, r.text)
            if not path.startswith("/v1/"):  # probes take no key
                assert r.status_code == 200, (method, path, who)
            elif who in ("wrong", "revoked"):
                assert r.status_code == 401, (method, path, who)
            elif who == "none":
                assert (r.status_code == 401) == (needs != "public"), (method, path, who, r.status_code)
            elif who == "editor" and needs == "admin":
                assert r.status_code == 403, (method, path)
            else:
                assert r.status_code not in (401, 403), (method, path, who, r.status_code)
        table.append((method, path, needs, row))
    print("\n".join(f"{m:6} {p:45} {n:7} {' '.join(map(str, row))}" for m, p, n, row in table))
