"""Job progress that a page or the API can read while the job runs: in Redis when there is a
worker, in this process's memory in the embedded default (the job runs in a thread here)."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a Redis client exists: not at all in the embedded default
    import redis

TTL_SECONDS = 24 * 3600


class MemoryProgress:
    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._lock = threading.Lock()

    def set(self, key: str, done: int) -> None:
        with self._lock:
            self._values[key] = done

    def get(self, key: str) -> int | None:
        with self._lock:
            return self._values.get(key)


class RedisProgress:
    def __init__(self, client: redis.Redis) -> None:
        import redis

        self.client = client
        self.errors = redis.RedisError

    def set(self, key: str, done: int) -> None:
        # Progress is a nicety: the job itself must not fail for it.
        with contextlib.suppress(self.errors):
            self.client.set(f"ft:progress:{key}", done, ex=TTL_SECONDS)

    def get(self, key: str) -> int | None:
        try:
            value = self.client.get(f"ft:progress:{key}")
        except self.errors:
            return None
        return int(value) if value is not None else None


_memory = MemoryProgress()


def store_for(client: redis.Redis | None) -> MemoryProgress | RedisProgress:
    return RedisProgress(client) if client is not None else _memory
