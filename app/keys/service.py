"""API keys: `mkb_<prefix>_<secret>`. The prefix finds the row; only SHA-256(secret) is stored
(the secret is 256 random bits, so a slow hash buys nothing)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.keys.repository import KeyRepository
from app.models import ApiKey

Role = Literal["editor", "admin"]
ROLE_RANK = {"editor": 1, "admin": 2}


@dataclass(frozen=True)
class Viewer:
    """Who is asking: anonymous (the public) or the holder of a valid key."""

    key_id: uuid.UUID | None = None
    role: Role | None = None

    @property
    def is_editor(self) -> bool:
        return self.role is not None

    def may(self, role: Role) -> bool:
        return self.role is not None and ROLE_RANK[self.role] >= ROLE_RANK[role]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class KeyService:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = KeyRepository(session)

    async def create(
        self, name: str, role: Role, expires_at: dt.datetime | None = None
    ) -> tuple[ApiKey, str]:
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        key = await self.repo.add(
            ApiKey(name=name, role=role, prefix=prefix, secret_hash=_hash(secret), expires_at=expires_at)
        )
        return key, f"mkb_{prefix}_{secret}"

    async def authenticate(self, token: str) -> Viewer | None:
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "mkb" or not parts[1] or len(parts[1]) > 16:
            return None
        key = await self.repo.by_prefix(parts[1])
        if key is None or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
            return None
        now = _now()
        if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
            return None
        return Viewer(key_id=key.id, role=key.role)  # type: ignore[arg-type]

    async def touch(self, key_id: uuid.UUID) -> None:
        await self.repo.touch(key_id, _now())

    async def list(self) -> Sequence[ApiKey]:
        return await self.repo.all()

    async def revoke(self, key_id: uuid.UUID) -> bool:
        return await self.repo.revoke(key_id, _now())
