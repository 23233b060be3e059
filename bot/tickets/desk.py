"""A ticket as the app records it, from what the helpdesk answered to a create."""

from __future__ import annotations

from bot.domain.filing import CreatedTicket, NewTicket
from bot.domain.ticket import Ticket
from bot.tickets.ports import TicketBackend, TicketRecords

SUMMARY_LENGTH = 500


class TicketDesk:
    def __init__(self, *, backend: TicketBackend, store: TicketRecords) -> None:
        self.backend = backend
        self.store = store

    def record(
        self,
        ticket: NewTicket,
        created: CreatedTicket,
        *,
        withdrawable: bool = False,
        withdrawable_until: float | None = None,
    ) -> Ticket:
        return Ticket(
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
            withdrawable=withdrawable,
            withdrawable_until=withdrawable_until if withdrawable else None,
            summary=ticket.draft.description.strip()[:SUMMARY_LENGTH],
        )
