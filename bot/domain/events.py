"""What happened to a ticket, as the service layer publishes it; side effects (the ticket message
and its thread in Slack, later App Home and a triage channel) subscribe instead of being called."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.ticket import Ticket


@dataclass(frozen=True)
class TicketFiled:
    ticket: Ticket
    """As announced in Slack (its message and thread known)."""
    entry_point: str
    """How the person asked (``SlackOrigin.entry_point``)."""


@dataclass(frozen=True)
class TicketNotFiled:
    """A ticket the helpdesk refused (``parked``: False), or one given up on after every retry
    (``parked``: True; an admin can put it back in the queue)."""

    entry_point: str
    reason: str
    parked: bool


@dataclass(frozen=True)
class TicketAssigned:
    ticket: Ticket
    """With its new assignee."""


@dataclass(frozen=True)
class TicketStatusChanged:
    ticket: Ticket
    """With its new status."""
    retold: bool = False
    """Told again: a crash may have cut off the first telling after the status was stored, so
    what it would have posted is looked for before it is posted."""


@dataclass(frozen=True)
class TicketRenamed:
    ticket: Ticket
    """With the helpdesk's own name and link, which it had not given when it was filed."""


@dataclass(frozen=True)
class AgentReplied:
    ticket: Ticket
    text: str
    author: str | None
    """The agent's name as the helpdesk gave it, if it did."""


TicketEvent = TicketFiled | TicketNotFiled | TicketStatusChanged | TicketRenamed | TicketAssigned | AgentReplied
