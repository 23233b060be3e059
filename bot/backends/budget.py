"""A helpdesk's request budget (e.g. Siit's 60 per minute), shared by every call of a process so
that background work (status polling) never starves ticket creation."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class RequestBudget:
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
        """For work a person waits on: wait for a free slot, however much background work used."""
        while self._used() >= self._limit:  # noqa: ASYNC110 - waiting for time to pass, not for an event
            await asyncio.sleep(max(0.01, self._window - (self._clock() - self._sent[0])))
        self._sent.append(self._clock())

    def try_take_background(self) -> bool:
        """For background work: only while ``reserve`` slots stay free for people."""
        if self._used() >= self._limit - self._reserve:
            return False
        self._sent.append(self._clock())
        return True
