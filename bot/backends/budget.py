"""A helpdesk's request budget (e.g. Siit's 60 per minute per token), so that background work
(status polling) never starves what people wait for. ``SharedRequestBudget``
(``bot.storage.request_budget``) counts for every instance on one database; ``LocalRequestBudget``
for one process alone."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class RequestBudget(Protocol):
    async def take(self) -> None:
        """For work a person waits on: wait for a free slot, however much background work used."""
        ...

    async def try_take_background(self) -> bool:
        """For background work: a slot only while ``reserve`` slots stay free for people."""
        ...


class LocalRequestBudget:
    def __init__(
        self, *, limit: int, per_seconds: float, reserve: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = per_seconds
        self._reserve = reserve
        self._clock = clock
        self._sent: deque[float] = deque()

    def _used(self) -> int:
        now = self._clock()
        while self._sent and now - self._sent[0] >= self._window:
            self._sent.popleft()
        return len(self._sent)

    async def take(self) -> None:
        while self._used() >= self._limit:  # noqa: ASYNC110 - waiting for time to pass, not for an event
            await asyncio.sleep(max(0.01, self._window - (self._clock() - self._sent[0])))
        self._sent.append(self._clock())

    async def try_take_background(self) -> bool:
        if self._used() >= self._limit - self._reserve:
            return False
        self._sent.append(self._clock())
        return True
