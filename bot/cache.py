"""An async TTL cache that serves stale entries while one refresh runs in the background."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

log = logging.getLogger(__name__)


@dataclass
class _Entry(Generic[V]):
    value: V
    loaded_at: float


class StaleWhileRevalidateCache(Generic[K, V]):
    """``get`` answers from memory whenever it can: fresh entries as they are, stale ones at once
    while a single background load refreshes them. Only a cold key waits for ``load``, and
    concurrent cold callers share one load."""

    def __init__(
        self,
        load: Callable[[K], Awaitable[V]],
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[K, _Entry[V]] = {}
        self._loading: dict[K, asyncio.Task[V]] = {}

    def peek(self, key: K) -> V | None:
        """The cached value, fresh or stale, without waiting; starts a refresh when stale."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() - entry.loaded_at >= self._ttl:
            self._start_load(key)
        return entry.value

    async def get(self, key: K, *, max_age: float | None = None) -> V:
        """``max_age``: an entry older than this is not served, stale or not: the caller waits
        for a load, and a load that fails raises (an answer that must not outlive it)."""
        entry = self._entries.get(key)
        if entry is not None and max_age is not None and self._clock() - entry.loaded_at >= max_age:
            return await asyncio.shield(self._start_load(key))
        value = self.peek(key)
        if value is not None:
            return value
        return await asyncio.shield(self._start_load(key))

    def put(self, key: K, value: V) -> None:
        self._entries[key] = _Entry(value, self._clock())

    def _start_load(self, key: K) -> asyncio.Task[V]:
        task = self._loading.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load_and_store(key))
            self._loading[key] = task
            task.add_done_callback(lambda t: self._finish(key, t))
        return task

    async def _load_and_store(self, key: K) -> V:
        value = await self._load(key)
        self.put(key, value)
        return value

    def _finish(self, key: K, task: asyncio.Task[V]) -> None:
        self._loading.pop(key, None)
        if not task.cancelled() and task.exception() is not None and key in self._entries:
            log.warning("refresh of %r failed, serving the stale entry: %s", key, task.exception())
