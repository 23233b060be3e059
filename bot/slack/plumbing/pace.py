"""Slack's pace for posting in one channel (``chat.postMessage``: about one message a second per
channel, short bursts tolerated): each post takes the channel's next free moment. A post whose
moment is near waits for it; one further off is handed back to the outbox, due then (``NotYet``),
so a burst of 200 confirmations in one channel is queued, never dropped, and never holds a
worker while it waits. Per process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.delivery.failures import NotYet

INLINE_WAIT_SECONDS = 2.0
"""A turn this close is waited for in place."""


class ChannelPace:
    def __init__(
        self,
        *,
        interval_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = interval_seconds
        self._clock = clock
        self._sleep = sleep
        self._next_free: dict[str, float] = {}

    async def turn(self, channel: str) -> None:
        """Returns at this post's moment in ``channel``; raises ``NotYet`` (taking no moment)
        when the channel's next free moment is further off than ``INLINE_WAIT_SECONDS``."""
        if self._interval <= 0:
            return
        now = self._clock()
        at = max(now, self._next_free.get(channel, now))
        if at - now > INLINE_WAIT_SECONDS:
            raise NotYet(at - now)
        self._next_free[channel] = at + self._interval
        if len(self._next_free) > 1000:  # channels quiet for a while need no memory
            self._next_free = {c: t for c, t in self._next_free.items() if t > now}
        if at > now:
            await self._sleep(at - now)
