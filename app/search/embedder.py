"""Query vectors for the API: cached, shared between identical queries in flight, and computed in
micro-batches.

A new query's vector is asked for as soon as the request arrives (search.service runs the keyword
search meanwhile). Requests that arrive while the model is busy wait together and go to the model
as one call (`E5().query([...])`), so under load the model runs back to back instead of each
request queueing for the lock. A request's keyword half then says whether it needs its vector
(`confirm`) or not (`withdraw`). When the model is free it starts at once on any waiting query,
needed or not yet known (the vector is ready sooner); when queries are waiting for it, those known
to be needed go first and the others wait for their answer, so under load the model computes no
vector that the keyword half makes useless."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from app.core.text import fold

if TYPE_CHECKING:
    from app.search.vectors import Model

# Measured (one thread, a loaded machine): 35 ms a query alone, 31 ms each in fours, 41 ms in
# eights: a longer batch makes its first member wait for the last and saves nothing.
MAX_BATCH = 4


class QueryEmbedder:
    """Query vectors off the event loop, cached (repeated queries are most of real traffic)."""

    def __init__(self, threads: int, size: int = 4096) -> None:
        self.threads = threads  # EMBEDDING_THREADS, for the model when it loads
        self._model: Model | None = None
        self._loading: asyncio.Lock | None = None
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._size = size
        self._pending: dict[str, asyncio.Future[list[float]]] = {}  # waiting for the next batch
        self._needed: set[str] = set()  # pending queries known to be needed
        self._running: dict[str, asyncio.Future[list[float]]] = {}  # in the model now
        self._batcher: asyncio.Task[None] | None = None
        # Figures for the bench: model calls, vectors computed, seconds in the model.
        self.calls = 0
        self.computed = 0
        self.model_seconds = 0.0

    def cached(self, q: str) -> list[float] | None:
        key = fold(q)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
        return found

    def request(self, q: str) -> asyncio.Future[list[float]]:
        """A future for the query's vector: cached, already asked for, or queued for the next batch."""
        key = fold(q)
        loop = asyncio.get_running_loop()
        found = self.cached(q)
        if found is not None:
            done: asyncio.Future[list[float]] = loop.create_future()
            done.set_result(found)
            return done
        future = self._running.get(key) or self._pending.get(key)
        if future is None:
            future = self._pending[key] = loop.create_future()
            if self._batcher is None or self._batcher.done():
                self._batcher = asyncio.create_task(self._batches())
        return future

    def confirm(self, q: str) -> None:
        """The asker needs the vector: it goes before queries not known to be needed."""
        key = fold(q)
        if key in self._pending:
            self._needed.add(key)

    def withdraw(self, q: str, future: asyncio.Future[list[float]]) -> None:
        """The asker no longer needs the vector: if the model has not started on it, it is not
        computed (another asker of the same query holds the same future: only unawaited ones go)."""
        key = fold(q)
        if self._pending.get(key) is future and not future.done():
            del self._pending[key]
            self._needed.discard(key)
            future.cancel()

    async def vector(self, q: str) -> list[float]:
        return await asyncio.shield(self.request(q))

    async def _batches(self) -> None:
        while self._pending:
            needed = [k for k in self._pending if k in self._needed]
            keys = (needed or list(self._pending))[:MAX_BATCH]
            batch = {k: self._pending.pop(k) for k in keys}
            self._needed.difference_update(keys)
            self._running.update(batch)
            try:
                if self._model is None:
                    from app.search.vectors import Model

                    self._model = await asyncio.to_thread(Model, self.threads)
                started = time.perf_counter()
                vectors = await asyncio.to_thread(self._model.queries, keys)
                self.model_seconds += time.perf_counter() - started
                self.calls += 1
                self.computed += len(keys)
            except BaseException as exc:
                for future in batch.values():
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("stopped"))
                if not isinstance(exc, Exception):
                    raise
                continue
            finally:
                for k in keys:
                    self._running.pop(k, None)
            for key, vector in zip(keys, vectors, strict=True):
                self._cache[key] = vector
                if not batch[key].done():
                    batch[key].set_result(vector)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
