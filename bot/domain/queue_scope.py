"""Which open tickets an agent works on: every channel's but those of teams they are not in (an
agent of the helpdesk's), or only their teams' channels (a team member only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueueScope:
    only: frozenset[str] | None = None
    """The channels whose tickets they see, or ``None``: all but ``hidden``."""
    hidden: frozenset[str] = frozenset()
    """Channels of teams they are not in."""

    def covers(self, channel_id: str | None) -> bool:
        if self.only is not None:
            return channel_id in self.only
        return channel_id not in self.hidden
