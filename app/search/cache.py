"""Search answers for repeated queries, kept briefly.

Most search traffic repeats (the same query from many users, the next page, a bot re-asking). A
cached answer is dropped when this process's indexer or vector worker changes the index (the
generation moves on) and, for changes made by other processes, after `ttl` seconds at the latest:
an index that is fed asynchronously is never read-your-writes, and the TTL bounds how much later a
change shows in another replica's cached answers."""

from __future__ import annotations

from collections.abc import Hashable

from cachetools import TTLCache

from app.search.schemas import SearchResponse


class SearchCache:
    def __init__(self, size: int = 4096, ttl: float = 30.0) -> None:
        self._answers: TTLCache[Hashable, SearchResponse] = TTLCache(maxsize=size, ttl=ttl)
        self.generation = 0

    def changed(self) -> None:
        """The index changed here: forget every answer."""
        self.generation += 1
        self._answers.clear()

    def get(self, key: Hashable) -> SearchResponse | None:
        return self._answers.get(key)

    def put(self, key: Hashable, answer: SearchResponse) -> None:
        if not answer.degraded:  # a degraded answer is a stopgap: ask Meilisearch next time
            self._answers[key] = answer
