"""Filing a ticket: the helpdesk call and the local record, whichever way it came in."""

from __future__ import annotations

from bot.backends.base import NewTicket, TicketBackend
from bot.storage.tickets import TicketRecord, TicketStore


class TicketDesk:
    def __init__(self, *, backend: TicketBackend, store: TicketStore) -> None:
        self.backend = backend
        self.store = store

    async def file(self, ticket: NewTicket) -> TicketRecord:
        """Create the ticket in the helpdesk, then record it. Raises ``BackendError``."""
        created = await self.backend.create_ticket(ticket)
        record = TicketRecord(
            backend=self.backend.name,
            ticket_id=created.id,
            friendly_id=created.friendly_id,
            url=created.url,
            title=ticket.draft.title,
            form_id=ticket.form.id,
            form_name=ticket.form.name,
            status=created.status,
            team_id=ticket.team_id,
            channel_id=ticket.channel_id,
            message_ts=None,
            thread_ts=None,
            requester_id=ticket.requester.slack_id,
            reporter_id=ticket.reporter.slack_id,
        )
        await self.store.add(record)
        return record
