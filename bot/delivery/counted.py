"""Counts each ticket's outcome (filed, refused, parked) by entry point, around the listener
that tells the person."""

from __future__ import annotations

from bot.delivery.request import AssignRequest, CloseRequest, ReplyRequest, TicketRequest, Write
from bot.delivery.service import DeliveryListener
from bot.domain.filing import BackendError, BackendUnavailable
from bot.domain.ticket import Ticket
from bot.metrics import Metrics


class CountedListener:
    def __init__(self, inner: DeliveryListener, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def filed(self, request: TicketRequest, record: Ticket, *, uncertain: bool) -> None:
        await self._inner.filed(request, record, uncertain=uncertain)
        self._metrics.ticket(request.origin.entry_point, "filed")  # once announced: never twice

    async def replied(self, request: ReplyRequest) -> None:
        await self._inner.replied(request)

    async def closed(self, request: CloseRequest, *, again: bool = False) -> None:
        await self._inner.closed(request, again=again)

    async def assigned(self, request: AssignRequest) -> None:
        await self._inner.assigned(request)

    async def delayed(self, request: Write, error: BackendUnavailable) -> None:
        await self._inner.delayed(request, error)

    async def refused(self, request: Write, error: BackendError) -> None:
        if isinstance(request, TicketRequest):
            self._metrics.ticket(request.origin.entry_point, "refused")
        await self._inner.refused(request, error)

    async def gave_up(self, request: Write, error: BackendError) -> None:
        if isinstance(request, TicketRequest):
            self._metrics.ticket(request.origin.entry_point, "parked")
        await self._inner.gave_up(request, error)
