"""A request budget for one process alone (``bot.tickets.budget`` says how it is shared out);
``SharedRequestBudget`` (``bot.storage.request_budget``) counts for every instance on one
database."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from bot.tickets.budget import Background, background_limit


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

    async def try_take_background(self, work: Background) -> bool:
        if self._used() >= background_limit(limit=self._limit, reserve=self._reserve, work=work):
            return False
        self._sent.append(self._clock())
        return True
