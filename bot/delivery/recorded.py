"""A Slack request recorded before its ack (``bot.slack.recording.inbox``), as the listener acting on it
carries it: forgotten in the transaction that records what it asked for, once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RecordedRequest:
    id: str
    settled: bool = False
    """Forgotten already (with the outbox item acting on it): nothing left to settle."""
