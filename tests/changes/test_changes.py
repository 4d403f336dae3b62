from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.keys.service import KeyService
from app.organizations.kind import ORGANIZATION
from app.organizations.schemas import OrganizationIn
from app.records.service import RecordService
from app.seed import SYSTEM
from tests.support.factories import BUILDERS


async def _key(factory: async_sessionmaker[AsyncSession], role: str = "editor") -> dict[str, str]:
    async with factory() as s:
        _, token = await KeyService(s).create("feed", role)  # type: ignore[arg-type]
        await s.commit()
    return {"Authorization": f"Bearer {token}"}


async def feed(
    client: httpx.AsyncClient, since: int = 0, headers: dict[str, str] | None = None
) -> list[tuple[str, str, int]]:
    items = (await client.get(f"/v1/changes?since={since}", headers=headers or {})).json()["items"]
    return [(i["slug"], i["action"], i["version"]) for i in items]


async def test_public_feed_hides_drafts_and_tombstones_what_leaves(
    committed_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    client, editor = committed_client, await _key(committed)
    await client.post("/v1/laws", json=BUILDERS["law"](slug="law-pub"), headers=editor)
    await client.post("/v1/laws", json=BUILDERS["law"](slug="law-draft", publication="draft"), headers=editor)
    await client.patch("/v1/laws/law-draft", json={"publication": "published"}, headers=editor)
    await client.patch("/v1/laws/law-pub", json={"publication": "archived"}, headers=editor)
    await client.delete("/v1/laws/law-draft", headers=await _key(committed, "admin"))
    assert await feed(client) == [
        ("law-pub", "created", 1),
        ("law-draft", "created", 2),  # entered the public set when published
        ("law-pub", "deleted", 2),  # left it when archived
        ("law-draft", "deleted", 3),
    ]
    editors_view = await feed(client, headers=editor)
    assert [a for _, a, _ in editors_view] == ["created", "created", "updated", "updated", "deleted"]


async def test_pages_resume_from_seq(
    committed_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    client, editor = committed_client, await _key(committed)
    for i in range(5):
        await client.post(
            "/v1/organizations", json=BUILDERS["organization"](slug=f"org-feed-{i}"), headers=editor
        )
    page = (await client.get("/v1/changes?limit=2")).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["next_cursor"]
    rest = (await client.get(f"/v1/changes?since={page['next_cursor']}&limit=10")).json()
    assert [i["slug"] for i in page["items"] + rest["items"]] == [f"org-feed-{i}" for i in range(5)]
    assert rest["next_cursor"] is None


async def test_feed_holds_back_rows_behind_an_open_transaction(
    committed_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    """A write that started first but commits last must not be skipped by a reader in between."""
    client = committed_client
    slow = committed()
    await RecordService(slow, ORGANIZATION, SYSTEM).create(
        OrganizationIn.model_validate(BUILDERS["organization"](slug="org-slow"))
    )
    async with committed() as fast:
        await RecordService(fast, ORGANIZATION, SYSTEM).create(
            OrganizationIn.model_validate(BUILDERS["organization"](slug="org-fast"))
        )
        await fast.commit()
    assert await feed(client) == []  # org-fast (higher seq) is held back while org-slow may still land
    await slow.commit()
    await slow.close()
    assert [s for s, _, _ in await feed(client)] == ["org-slow", "org-fast"]


async def test_concurrent_edits_one_wins_one_gets_412(
    committed_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    """Two editors PATCH the same version at once, on separate connections: the row lock
    serialises them, the second sees the new version and gets 412; nothing is lost."""
    import asyncio

    client, editor = committed_client, await _key(committed)
    await client.post("/v1/laws", json=BUILDERS["law"](slug="law-contested", number="0"), headers=editor)
    url = "/v1/laws/law-contested"
    first, second = await asyncio.gather(
        client.patch(url, json={"number": "A"}, headers={**editor, "If-Match": "1"}),
        client.patch(url, json={"number": "B"}, headers={**editor, "If-Match": "1"}),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = (first if first.status_code == 200 else second).json()["number"]
    final = (await client.get(url)).json()
    assert final["version"] == 2 and final["number"] == winner
    history = (await client.get(f"{url}/revisions", headers=editor)).json()["items"]
    assert [h["version"] for h in history] == [2, 1]
