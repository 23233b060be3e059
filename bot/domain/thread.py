"""A Slack thread a ticket lives in, named by channel ID + the root message's ts (the same in
every workspace that shares the channel), and what a claim on it says of its ticket."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThreadKey:
    team_id: str
    """The workspace that asked, kept for the record; not part of the thread's identity."""
    channel_id: str
    thread_ts: str
    """The thread's root message: a message that is not in a thread is its own root."""


@dataclass(frozen=True)
class MessageKey:
    """One Slack message (a reply, an edit of it): sent to the helpdesk once."""

    team_id: str
    channel_id: str
    message_ts: str
    """The message's ``ts``, or a key naming one edit of it."""


@dataclass(frozen=True)
class ThreadTicket:
    friendly_id: str | None
    """``None`` while the claimed ticket is still being filed."""
    url: str | None
