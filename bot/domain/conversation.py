"""What a helpdesk's conversation on a ticket holds, as the app reads it back (Siit has no
webhooks: its messages are polled), and the ticket's state as last read."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Sender(enum.Enum):
    AGENT = "agent"
    REQUESTER = "requester"
    OTHER = "other"
    """An automation, an integration, or a sender the helpdesk does not name."""


@dataclass(frozen=True)
class HelpdeskMessage:
    uid: str
    text: str
    public: bool
    """False for an internal note: never shown to the requester."""
    sender: Sender
    sender_uid: str | None
    attachments: tuple[str, ...] = ()
    """Links to the files attached."""


@dataclass(frozen=True)
class RemoteState:
    status: str | None
    changed_at: str | None
    """The helpdesk's own "last updated" mark, compared as given: when it has not moved since the
    last read, the conversation need not be read again."""
