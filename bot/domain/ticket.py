"""A ticket filed through the app: which helpdesk holds it and what it calls it, which form it
came from, where it lives in Slack (its message and thread), who asked and who filed it, and
whether it may be withdrawn as not a ticket."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ticket:
    backend: str
    ticket_id: str
    friendly_id: str
    url: str | None
    title: str
    form_id: str
    form_name: str
    status: str | None
    team_id: str
    channel_id: str | None
    message_ts: str | None
    thread_ts: str | None
    requester_id: str
    reporter_id: str
    withdrawable: bool = False
    """Filed without a click (a help channel's message): its message offers "Not a ticket"."""
    assignee_id: str | None = None
    """The Slack member the ticket is assigned to, when assigned from Slack."""
    summary: str = ""
    """The start of what the requester wrote, for the agents' triage channel."""
    triage_channel: str | None = None
    triage_ts: str | None = None
    """Its message in the agents' triage channel, once posted."""
