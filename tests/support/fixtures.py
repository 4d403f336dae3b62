"""What the fixtures of conftest.py hand out and tests also import: a statement counter, an
editor's desk on committed data, and a new API key's headers."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.keys.service import KeyService


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


async def key_headers(sessionmaker: async_sessionmaker[AsyncSession], role: str) -> dict[str, str]:
    async with sessionmaker() as session:
        _, token = await KeyService(session).create(f"test {role}", role)  # type: ignore[arg-type]
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Desk:
    """An editor's client on committed data, and the database the worker reads."""

    client: httpx.AsyncClient
    editor: dict[str, str]
    committed: async_sessionmaker[AsyncSession]
    database_url: str
