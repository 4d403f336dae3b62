"""Where attachment bytes live: one interface over a local directory (the default, under the user's
data dir) or any S3-compatible store (`FILES_URL=s3://bucket/prefix`, credentials and endpoint from
the usual `AWS_*` variables), through obstore. Content-addressed: a file's key is its sha256, so
identical uploads are stored once and a key never changes meaning."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import obstore
from obstore.store import LocalStore, from_url

from app.core.config import Settings, files_directory

CHUNK = 256 * 1024


class FileStore:
    def __init__(self, store: Any) -> None:
        self._store = store

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStore:
        if settings.files_url:
            return cls(from_url(settings.files_url))
        path = Path(files_directory(settings))
        path.mkdir(parents=True, exist_ok=True)
        return cls(LocalStore(str(path), mkdir=True))

    @staticmethod
    def key(sha256: str) -> str:
        return f"sha256/{sha256[:2]}/{sha256}"

    async def exists(self, sha256: str) -> bool:
        try:
            await obstore.head_async(self._store, self.key(sha256))
        except FileNotFoundError:
            return False
        return True

    async def size(self, sha256: str) -> int:
        meta = await obstore.head_async(self._store, self.key(sha256))
        return int(meta["size"])

    async def put(self, sha256: str, file: IO[bytes]) -> None:
        """Stores the file (from its start) unless the same bytes are there already. A local
        store writes to a temporary name and renames: a reader never sees half a file."""
        if await self.exists(sha256):
            return
        file.seek(0)
        await obstore.put_async(self._store, self.key(sha256), file, chunk_size=CHUNK)

    async def listing(self) -> AsyncIterator[list[tuple[str, dt.datetime]]]:
        """Every stored file's sha256 and when it was written, in batches."""
        async for batch in obstore.list(self._store, prefix="sha256/"):
            yield [(meta["path"].rsplit("/", 1)[-1], meta["last_modified"]) for meta in batch]

    async def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await obstore.delete_async(self._store, self.key(sha256))

    async def open(self, sha256: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes from `start` up to (not including) `end`, as chunks. The file is opened here
        (FileNotFoundError now, not half-way through a response)."""
        options: Any = {}
        if start or end is not None:
            options["range"] = (start, end) if end is not None else {"offset": start}
        result = await obstore.get_async(self._store, self.key(sha256), options=options)
        return _chunks(result)

    async def download(self, sha256: str, path: str | os.PathLike[str]) -> None:
        with open(path, "wb") as out:
            async for chunk in await self.open(sha256):
                out.write(chunk)


async def _chunks(result: Any) -> AsyncIterator[bytes]:
    async for chunk in result.stream(min_chunk_size=CHUNK):
        yield bytes(chunk)
