""" "Not a ticket" is for a mistake, not an eraser: it ends as soon as an agent acts on the ticket
(a reply comes back, it is assigned, its status changes), subscribed to the ticket's events."""

from __future__ import annotations

from typing import Protocol

from bot.domain.events import AgentReplied, TicketAssigned, TicketStatusChanged
from bot.tickets.events import EventBus


class EndsWithdrawal(Protocol):
    async def end_withdrawal(self, backend: str, ticket_id: str) -> None: ...


class WithdrawWindow:
    def __init__(self, *, tickets: EndsWithdrawal) -> None:
        self._tickets = tickets

    def subscribe(self, events: EventBus) -> None:
        events.subscribe(AgentReplied, self._acted_on)
        events.subscribe(TicketAssigned, self._acted_on)
        events.subscribe(TicketStatusChanged, self._acted_on)

    async def _acted_on(self, event: AgentReplied | TicketAssigned | TicketStatusChanged) -> None:
        if event.ticket.withdrawable:
            await self._tickets.end_withdrawal(event.ticket.backend, event.ticket.ticket_id)
