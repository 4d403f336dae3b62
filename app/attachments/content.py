"""An attachment's stored bytes, shared by every attachment with the same content (stored once, by
digest): the lock that serializes their writers, and their removal once no attachment names them.
The upload and delete paths and the hourly sweep of app/attachments/jobs.py use them."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.files.store import FileStore
from app.models import Attachment


async def lock_content(session: AsyncSession, sha256: str) -> None:
    """Serializes writers of one file's bytes (an upload storing it, a delete removing it) for the
    transaction: a delete never removes the bytes an upload in flight is about to reference."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:sha, 7))"), {"sha": sha256})


async def forget_unreferenced(session: AsyncSession, store: FileStore, sha256: str) -> bool:
    """Removes the bytes when no attachment names them (its own transaction, under the lock);
    whether it did."""
    async with session.begin():
        await lock_content(session, sha256)
        count = await session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.sha256 == sha256)
        )
        if count:
            return False
        await store.delete(sha256)
        return True
