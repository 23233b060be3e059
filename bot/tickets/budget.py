"""A helpdesk's request budget (e.g. Siit's 60 per minute per token) as the use cases see it:
what a person waits on takes a slot whatever background work used; background reads take one
only while ``reserve`` slots stay free for people, and among themselves in order of need
(``Background``): the lower a read ranks, the more headroom it leaves, so under pressure status
polling yields first and the agents' list last."""

from __future__ import annotations

import enum
from typing import Protocol


class Background(enum.IntEnum):
    """Background reads, the most needed first."""

    RIGHTS = 0
    """Who is an agent: rights follow the helpdesk within ``AGENT_CACHE_SECONDS``."""
    CONVERSATIONS = 1
    """Agents' replies, for the people waiting on them in Slack."""
    STATUSES = 2
    """Status changes."""


def background_limit(*, limit: int, reserve: int, work: Background) -> int:
    """How many slots of the window may be taken when ``work`` asks for one."""
    step = max(1, reserve // 4)
    return max(0, limit - reserve - int(work) * step)


class RequestBudget(Protocol):
    async def take(self) -> None:
        """For work a person waits on: wait for a free slot, however much background work used."""
        ...

    async def try_take_background(self, work: Background) -> bool:
        """For background work: a slot only within ``background_limit`` for it."""
        ...
