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
    """Filed without a click (a help channel's message): its message offers "Not a ticket",
    until an agent acts on it (a reply, an assignment, a status) or ``withdrawable_until``."""
    assignee_id: str | None = None
    """The Slack member the ticket is assigned to, when assigned from Slack."""
    summary: str = ""
    """The start of what the requester wrote, for the agents' triage channel."""
    triage_channel: str | None = None
    triage_ts: str | None = None
    """Its message in the agents' triage channel, once posted."""
    withdrawable_until: float | None = None

    def withdraw_refusal(self, now: float) -> str | None:
        """Why "Not a ticket" no longer applies (it is for a mistake, not an eraser), or ``None``."""
        if not self.withdrawable:
            return (
                "Only a ticket filed from a help channel's message, before anyone worked on it, can be withdrawn "
                "as not a ticket. Close it instead."
            )
        if self.withdrawable_until is not None and now >= self.withdrawable_until:
            return "It is too late to withdraw this ticket as not a ticket. Close it instead."
        return None
