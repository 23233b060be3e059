"""One SQLite writer at a time, in order, in this process.

SQLite lets one connection write at a time; the others poll its lock with sleeps that grow to
100 ms. In an async app a writer holds the lock across event-loop turns, so under load writers
polled for hundreds of milliseconds. Here they queue instead, in order, and a write that an ack
waits for (``first``) goes before the rest."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator


class WriteTurns:
    def __init__(self) -> None:
        self._held = False
        self._first: deque[asyncio.Future[None]] = deque()
        self._rest: deque[asyncio.Future[None]] = deque()

    @contextlib.asynccontextmanager
    async def turn(self, *, first: bool = False) -> AsyncIterator[None]:
        if self._held:
            waiter = asyncio.get_running_loop().create_future()
            queue = self._first if first else self._rest
            queue.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._next()  # the turn was handed over just as it was given up: pass it on
                else:
                    queue.remove(waiter)
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._next()

    def _next(self) -> None:
        """The turn goes to the next waiter (first ones first), or is free."""
        for queue in (self._first, self._rest):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._held = False
