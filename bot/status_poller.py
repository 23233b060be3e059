"""For helpdesks without webhooks (Siit): poll open tickets' status on an interval, a small
batch at a time, so polling stays inside the helpdesk's rate limit next to ticket creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.backends.base import BackendError, BackendUnavailable, TicketBackend
from bot.storage.tickets import TicketRecord, TicketStore

log = logging.getLogger(__name__)


class StatusPoller:
    def __init__(
        self,
        *,
        backend: TicketBackend,
        tickets: TicketStore,
        on_change: Callable[[TicketRecord, str], Awaitable[object]],
        interval_seconds: float,
        batch: int,
    ) -> None:
        self._backend = backend
        self._tickets = tickets
        self._on_change = on_change
        self._interval = interval_seconds
        self._batch = batch
        self._offset = 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.poll_once()
            except Exception:
                log.exception("status poll failed; trying again next interval")

    async def poll_once(self) -> int:
        """Check one batch of open tickets; returns how many changed."""
        closed = self._backend.closed_statuses
        records = await self._tickets.open_tickets(self._backend.name, closed=tuple(closed), limit=10_000)
        if not records:
            return 0
        start = self._offset % len(records)
        batch = (records[start:] + records[:start])[: self._batch]
        self._offset = start + len(batch)
        changed = 0
        for record in batch:
            try:
                status = await self._backend.fetch_status(record.ticket_id)
            except BackendUnavailable as exc:
                log.info("status poll paused: %s", exc.reason)
                break  # out of budget or the helpdesk is down: the next interval goes on
            except BackendError as exc:
                log.info("status of %s unreadable: %s", record.friendly_id, exc.reason)
                continue
            if status and status != record.status:
                await self._on_change(record, status)
                changed += 1
        return changed
