"""Use cases for what a helpdesk tells of its tickets (Suptask's webhooks, Siit's status polls):
a status change, the helpdesk's own name for a ticket, an agent's reply. Each is recorded once
and published as an event; Slack's thread and ticket message subscribe."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.events import AgentReplied, TicketAssigned, TicketFiled, TicketRenamed, TicketStatusChanged
from bot.domain.thread import ThreadKey
from bot.domain.ticket import Ticket
from bot.tickets.events import EventBus
from bot.tickets.ports import ThreadClaims, TicketRecords


class TicketUpdates:
    def __init__(self, *, tickets: TicketRecords, thread_claims: ThreadClaims, events: EventBus) -> None:
        self._tickets = tickets
        self._thread_claims = thread_claims
        self._events = events

    async def filed(self, ticket: Ticket, *, entry_point: str) -> None:
        """The ticket is filed and announced in Slack (published again if that step is retried)."""
        await self._events.publish(TicketFiled(ticket, entry_point))

    async def assigned(self, ticket: Ticket, assignee_id: str) -> bool:
        """False when it was assigned to them already (nothing is published)."""
        if not await self._tickets.set_assignee(ticket.backend, ticket.ticket_id, assignee_id):
            return False
        await self._events.publish(TicketAssigned(replace(ticket, assignee_id=assignee_id)))
        return True

    async def status_changed(self, ticket: Ticket, status: str, *, again: bool = False) -> bool:
        """False when the ticket already had this status (nothing is published), unless
        ``again``: the change is ours and its telling may have been cut off, so it is told again,
        marked so (``retold``)."""
        changed = status != ticket.status and await self._tickets.set_status(ticket.backend, ticket.ticket_id, status)
        if not changed and not again:
            return False
        await self._events.publish(TicketStatusChanged(replace(ticket, status=status), retold=not changed))
        return True

    async def renamed(self, ticket: Ticket, friendly_id: str, url: str | None) -> Ticket:
        """The helpdesk's own name (and link) for a ticket it created without one."""
        if (friendly_id, url) == (ticket.friendly_id, ticket.url):
            return ticket
        await self._tickets.set_identity(ticket.backend, ticket.ticket_id, friendly_id=friendly_id, url=url)
        # Read again after writing: if the ticket message was being posted meanwhile, either this
        # read sees where it went, or the poster's read after storing its place sees the new name.
        current = await self._tickets.get(ticket.backend, ticket.ticket_id) or ticket
        updated = replace(current, friendly_id=friendly_id, url=url)
        if updated.channel_id and updated.thread_ts:
            # "Already filed" answers for the message the ticket came from use the new name too.
            key = ThreadKey(updated.team_id, updated.channel_id, updated.thread_ts)
            await self._thread_claims.filed(key, friendly_id=friendly_id, url=url)
        await self._events.publish(TicketRenamed(updated))
        return updated

    async def agent_replied(self, ticket: Ticket, text: str, author: str | None) -> None:
        await self._events.publish(AgentReplied(ticket, text, author))
