"""Stopping background loops cleanly: a loop waits on the stop event instead of sleeping, so a
stopping process ends it between passes, never in the middle of a database call (a cancelled
call can leave its pooled connection unreturned)."""

from __future__ import annotations

import asyncio
import contextlib


async def pause(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until ``stop`` is set; True when the loop should end."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
